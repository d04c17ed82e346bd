import { randomUUID } from 'node:crypto';
import cookieParser from 'cookie-parser';
import express, { type Express, type RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import { adminRouter } from './admin/admin-router.js';
import type { Services } from './compose.js';
import { deliveredSection, deliveryApiRoutes, deliveryPageRoutes } from './deliveries/delivery-public-routes.js';
import { healthRoutes } from './health/health-routes.js';
import { shareImageRoutes } from './share-image/share-image-routes.js';
import { petitionApiRoutes } from './petitions/petition-api-routes.js';
import { createPetitionPageRenderer, petitionPageRoutes } from './petitions/petition-page-routes.js';
import { receiptRoutes } from './receipts/receipt-routes.js';
import { TOKEN_SURFACES, pageMeta } from './site/link-preview.js';
import { siteRoutes } from './site/site-routes.js';
import { verifyApiRoutes, verifyPageRoutes } from './receipts/verify-routes.js';
import { AppError } from './shared/errors.js';
import { signatureApiRoutes } from './signatures/signature-api-routes.js';
import { signaturePageRoutes } from './signatures/signature-page-routes.js';
import { shareRoutes } from './sharing/share-routes.js';
import { unsubscribeRoutes } from './updates/unsubscribe-routes.js';
import { createAssets } from './web/assets.js';
import { createErrorHandler, notFound } from './web/error-handler.js';
import { createFonts } from './web/fonts.js';
import { languageRouting } from './web/language.js';
import { createCsrf, requireJson, securityHeaders } from './web/security.js';
import { configureViews } from './web/views.js';
import { fromRoot } from './shared/project-root.js';

// Tokens in URLs are secrets: logs show the route, not the token.
const TOKEN_IN_URL = new RegExp(`/(${TOKEN_SURFACES.join('|')})/[^/?#]+`);
const redactUrl = (url: string) => url.replace(TOKEN_IN_URL, '/$1/:token');

const inSequence =
  (first: RequestHandler, second: RequestHandler): RequestHandler =>
  (req, res, next) =>
    void first(req, res, (error?: unknown) => (error ? next(error) : void second(req, res, next)));

/** Builds the Express app from ready services. Does not listen: the boot module and tests do. */
export function createApp(services: Services): Express {
  const { config, i18n, logger } = services;
  const app = express();
  app.set('trust proxy', config.TRUST_PROXY);
  app.disable('x-powered-by');

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const id = randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      // No IPs, headers, cookies or query strings in logs.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url.split('?')[0] ?? '') }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    }),
  );
  app.use(securityHeaders(config.isProduction));

  const assets = createAssets(fromRoot('public'));
  const fonts = createFonts(fromRoot('node_modules', '@fontsource'));
  app.use('/static', assets.middleware);
  app.use('/static/fonts', fonts.middleware);
  configureViews(app, fromRoot('views'), assets.url, fonts.stylesheets);

  app.use(siteRoutes({ config, petitions: services.petitionService }));
  app.use(shareImageRoutes(services.shareImages));
  app.use(cookieParser(), languageRouting({ i18n, baseUrl: config.BASE_URL, secure: config.isProduction }), pageMeta(config.BASE_URL));

  app.use(healthRoutes(services.pingDatabase));

  const limiter = (name: 'sign' | 'confirm', perMinute: number): RequestHandler =>
    rateLimit({
      windowMs: 60_000,
      limit: perMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      store: services.rateLimitStore(name),
      handler: (_req, _res, next) => next(new AppError(429, 'rate_limited', 'Too many attempts. Please wait a minute and try again.')),
    });
  const signLimiter = limiter('sign', config.RATE_LIMIT_SIGN_PER_MINUTE);
  const limits = {
    sign: inSequence(services.signingLoad.track, signLimiter),
    // Confirming signers count as load too: the mail worker (which sends each a "counted" email) yields to them.
    confirm: inSequence(services.signingLoad.track, limiter('confirm', config.RATE_LIMIT_CONFIRM_PER_MINUTE)),
  };

  const api = express.Router();
  api.use(requireJson, express.json({ limit: '16kb', strict: true }));
  api.use(petitionApiRoutes(services.petitionService));
  api.use(signatureApiRoutes(services.signatureService, limits));
  api.use(deliveryApiRoutes(services.targets));
  api.use(verifyApiRoutes(services.verifyReceipt));
  api.use(notFound);
  app.use('/api/v1', api);

  const csrf = createCsrf(services.secrets.csrf, config.isProduction);
  // Pages carry a per-browser CSRF token: a shared cache must never hand one person's page to another.
  app.use((_req, res, next) => {
    res.set('Cache-Control', 'private, no-store');
    next();
  });
  // Workspace forms carry petition texts, up to 50,000 characters in each of six languages; public forms stay small.
  // (50,000 characters of Chinese are 150 kB of UTF-8 and about 450 kB once URL-encoded.)
  app.use('/admin', express.urlencoded({ extended: false, limit: '3mb', parameterLimit: 50 }));
  app.use(csrf.browserId, express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 }));
  const renderPetition = createPetitionPageRenderer(services.petitionService, services.formGuard, csrf.token, config.BASE_URL, deliveredSection(services.targets));
  app.use(petitionPageRoutes(services.petitionService, renderPetition, services.petitionImages));
  app.use(
    signaturePageRoutes({
      signatures: services.signatureService,
      petitions: services.petitionService,
      renderPetition,
      guard: services.formGuard,
      csrf,
      limits,
      receipts: services.receiptTokens,
      tokenTtlDays: Math.round(config.CONFIRM_TOKEN_TTL_HOURS / 24),
      baseUrl: config.BASE_URL,
    }),
  );

  app.use(shareRoutes({ petitions: services.petitionService, fonts: services.pdfFonts, baseUrl: config.BASE_URL, organisation: config.ORGANISATION_NAME }));
  app.use(deliveryPageRoutes(services.targets));
  app.use(receiptRoutes({ receipts: services.receipts, limit: limits.confirm }));
  app.use(verifyPageRoutes({ verify: services.verifyReceipt, csrf }));
  app.use(unsubscribeRoutes({ unsubscribe: services.unsubscribe, csrf }));
  app.use('/admin', adminRouter(services, csrf));

  app.use(notFound);
  app.use(createErrorHandler(i18n, logger));
  return app;
}
