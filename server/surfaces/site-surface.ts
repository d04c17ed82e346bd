import cookieParser from 'cookie-parser';
import express, { Router } from 'express';
import type { Services } from '../compose.js';
import { deliveredSection, deliveryPageRoutes } from '../deliveries/delivery-public-routes.js';
import { createPetitionPageRenderer, petitionPageRoutes } from '../petitions/petition-page-routes.js';
import { privacyRoutes } from '../privacy/index.js';
import { receiptRequestRoutes } from '../receipts/receipt-request-routes.js';
import { receiptRoutes } from '../receipts/receipt-routes.js';
import { signerRightsRoutes } from '../receipts/signer-rights-routes.js';
import { verifyPageRoutes } from '../receipts/verify-routes.js';
import { shareImageRoutes } from '../share-image/share-image-routes.js';
import { shareRoutes } from '../sharing/share-routes.js';
import { signaturePageRoutes } from '../signatures/signature-page-routes.js';
import { pageMeta } from '../site/link-preview.js';
import { siteRoutes } from '../site/site-routes.js';
import { unsubscribeRoutes } from '../updates/unsubscribe-routes.js';
import { notFound } from '../web/error-handler.js';
import { siteLanguage } from '../web/language.js';
import { noStore } from '../web/no-store.js';
import { createCsrf, pageSecurityHeaders } from '../web/security.js';
import type { SignLimits } from '../web/sign-limits.js';

/**
 * The public site: petition pages in every language, the sign form and the signer's token pages. Framed by nobody
 * (the embed is its own surface), CSRF by a double-submit cookie bound to an anonymous browser id, no CORS.
 */
export function siteSurface(services: Services, limits: SignLimits): Router {
  const { config } = services;
  const router = Router();
  router.use(pageSecurityHeaders({ isProduction: config.isProduction }));

  // Files and images at fixed addresses, before language routing: none redirects by language or sets a cookie.
  router.use(siteRoutes({ config, petitions: services.petitionService }));
  router.use(shareImageRoutes(services.shareImages));
  router.use(cookieParser(), siteLanguage({ i18n: services.i18n, baseUrl: config.BASE_URL, secure: config.isProduction }), pageMeta(config.BASE_URL));

  const csrf = createCsrf(services.secrets.csrf, config.isProduction);
  router.use(noStore, csrf.browserId, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  const renderPetition = createPetitionPageRenderer(services.petitionService, services.formGuard, csrf.token, config.BASE_URL, deliveredSection(services.targets), config.COUNT_CACHE_SECONDS, services.publishedUpdates);
  router.use(petitionPageRoutes(services.petitionService, renderPetition, services.petitionImages));
  router.use(
    signaturePageRoutes({
      signatures: services.signatureService,
      petitions: services.petitionService,
      renderPetition,
      guard: services.formGuard,
      csrf,
      limits,
      receipts: services.receiptTokens,
      personalLink: services.receipts.personal,
      tokenTtlDays: Math.round(config.CONFIRM_TOKEN_TTL_HOURS / 24),
      baseUrl: config.BASE_URL,
    }),
  );
  router.use(shareRoutes({ petitions: services.petitionService, fonts: services.pdfFonts, baseUrl: config.BASE_URL, organisation: config.ORGANISATION_NAME }));
  router.use(deliveryPageRoutes(services.targets));
  router.use(privacyRoutes(services.privacyNotice));
  // Before the receipts: `/receipts/lost` is no receipt token.
  router.use(
    receiptRequestRoutes({ requests: services.receiptRequests, petitions: services.petitionService, csrf, perMinute: config.RATE_LIMIT_SIGN_PER_MINUTE, store: services.rateLimitStore('receipt-request') }),
  );
  router.use(receiptRoutes({ receipts: services.receipts, limit: limits.confirm, baseUrl: config.BASE_URL, csrf }));
  router.use(signerRightsRoutes({ rights: services.signerRights, receipts: services.receipts, csrf, limit: limits.confirm }));
  router.use(verifyPageRoutes({ verify: services.verifyReceipt, csrf }));
  router.use(unsubscribeRoutes({ unsubscribe: services.unsubscribe, csrf }));
  router.use(notFound);
  return router;
}
