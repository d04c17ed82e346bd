import { Router, type ErrorRequestHandler } from 'express';
import type { Services } from '../compose.js';
import type { SignLimits } from '../web/sign-limits.js';
import { badgeRoutes } from './badge.js';
import { createEmbedCsrf } from './embed-csrf.js';
import { badgeSecurityHeaders, embedSecurityHeaders } from './embed-headers.js';
import { embedRoutes } from './embed-routes.js';

export { embedWorkspaceRoutes } from './embed-workspace-routes.js';

type Deps = Pick<Services, 'config' | 'i18n' | 'petitionService' | 'signatureService' | 'formGuard' | 'secrets'>;

/**
 * The embed surface: the sign widget partners frame (`/embed/petitions/<slug>`) and the counter badge they show as an
 * image (`/petitions/<slug>/badge.svg`). Mounted before the site's surface: its own headers (framable, per petition),
 * its language by `?lang=` with no prefix and no redirect, and no cookie at all, so CSRF works without one (README).
 */
export function embedSurface({ config, i18n, petitionService, signatureService, formGuard, secrets }: Deps, limits: Pick<SignLimits, 'sign'>): Router {
  const router = Router();
  const headers = embedSecurityHeaders(config.isProduction);
  router.use(
    embedRoutes({
      petitions: petitionService,
      signatures: signatureService,
      guard: formGuard,
      csrf: createEmbedCsrf(secrets.embed, [new URL(config.BASE_URL).origin]),
      limits,
      i18n,
      baseUrl: config.BASE_URL,
      tokenTtlDays: Math.round(config.CONFIRM_TOKEN_TTL_HOURS / 24),
      headers,
      cacheSeconds: config.COUNT_CACHE_SECONDS,
    }),
  );
  router.use(badgeRoutes({ petitions: petitionService, i18n, headers: badgeSecurityHeaders(config.isProduction) }));

  // A refusal inside the frame is shown inside the frame: the app's error handler renders it in the embed's layout,
  // under the embed's headers (a badge's error is no page, but its headers forbid nothing a page would need).
  const inTheFrame: ErrorRequestHandler = (error, req, res, next) => {
    if (!req.path.startsWith('/embed/')) return next(error);
    res.locals.layout = 'embed';
    res.locals.embedded = true;
    headers(req, res, () => next(error));
  };
  router.use(inTheFrame);
  return router;
}
