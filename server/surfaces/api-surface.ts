import cors from 'cors';
import express, { Router, type RequestHandler } from 'express';
import type { Services } from '../compose.js';
import { deliveryApiRoutes } from '../deliveries/delivery-public-routes.js';
import { petitionApiRoutes } from '../petitions/petition-api-routes.js';
import { verifyApiRoutes } from '../receipts/verify-routes.js';
import { signatureApiRoutes } from '../signatures/signature-api-routes.js';
import { notFound } from '../web/error-handler.js';
import { askedLanguage } from '../web/language.js';
import { apiSecurityHeaders, requireJson } from '../web/security.js';
import type { SignLimits } from '../web/sign-limits.js';

const DAY_SECONDS = 24 * 3600;
const readsAnywhere = cors({ origin: '*', methods: ['GET', 'HEAD'], maxAge: DAY_SECONDS });

/**
 * Any site may read public answers (counts, petitions, deliveries) from a browser: no cookie is read here and none is
 * sent, so `*` gives nothing away. Writes get no CORS answer at all, so a browser on another site cannot send one
 * (JSON needs a preflight, which says GET and HEAD only); the embed is the partner's way to sign.
 */
const corsForReads: RequestHandler = (req, res, next) => (['GET', 'HEAD', 'OPTIONS'].includes(req.method) ? readsAnywhere(req, res, next) : next());

/** `/api/v1`: JSON in and out, its language by `?lang=` or Accept-Language, no cookies and no CSRF to need. */
export function apiSurface(services: Services, limits: SignLimits): Router {
  const router = Router();
  router.use(apiSecurityHeaders(services.config.isProduction), corsForReads, askedLanguage(services.i18n));
  router.use(requireJson, express.json({ limit: '16kb', strict: true }));
  router.use(petitionApiRoutes(services.petitionService));
  router.use(signatureApiRoutes(services.signatureService, limits));
  router.use(deliveryApiRoutes(services.targets));
  router.use(verifyApiRoutes(services.verifyReceipt));
  router.use(notFound);
  return router;
}
