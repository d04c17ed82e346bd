import express, { Router, type RequestHandler } from 'express';
import { rateLimit, type AugmentedRequest, type RateLimitExceededEventHandler } from 'express-rate-limit';
import session from 'express-session';
import { accountRoutes } from '../accounts/account-routes.js';
import { loginRateLimited } from '../accounts/login-throttle.js';
import { allow, loadUser } from '../accounts/current-user.js';
import { DatabaseSessionStore } from '../accounts/session-repository.js';
import { userAdminRoutes } from '../accounts/user-admin-routes.js';
import { PERMISSIONS, may, type Permission } from '../accounts/user-types.js';
import { auditRoutes } from '../audit/audit-routes.js';
import type { Services } from '../compose.js';
import { NotFoundError } from '../shared/errors.js';
import { requireJson } from '../web/security.js';
import { moderationApiRoutes } from '../moderation/moderation-api-routes.js';
import { moderationRoutes } from '../moderation/moderation-routes.js';
import { petitionAdminRoutes } from '../petitions/petition-admin-routes.js';
import { languageCoverage } from '../petitions/petition-languages.js';
import { languagesOf } from '../petitions/petition-text.js';
import { paperRoutes } from '../paper/paper-routes.js';
import { dashboardApiRoutes, dashboardRoutes } from '../dashboard/dashboard-routes.js';
import { embedWorkspaceRoutes } from '../embed/index.js';
import { exportRoutes } from '../exports/export-routes.js';
import { exportJobApiRoutes, exportJobRoutes } from '../exports/export-job-routes.js';
import { deliveryAdminRoutes } from '../deliveries/delivery-admin-routes.js';
import { targetAdminRoutes } from '../deliveries/target-admin-routes.js';
import { packetApiRoutes } from '../deliveries/packet-api-routes.js';
import { organiserUpdateApiRoutes, organiserUpdateRoutes } from '../updates/organiser-update-routes.js';

interface Csrf {
  protect: RequestHandler;
  token: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => string;
}

const WINDOW_MS = 15 * 60_000;

/** Everything under /admin: the session, the signed-in user, and each feature's admin routes. */
export function adminRouter(services: Services, csrf: Csrf): Router {
  const { config } = services;
  const router = Router();
  const idleMs = config.SESSION_IDLE_MINUTES * 60_000;

  router.use(
    session({
      name: config.isProduction ? '__Host-hv_admin' : 'hv_admin',
      secret: services.secrets.session.toString('base64'),
      store: new DatabaseSessionStore(services.sessions, idleMs, () => new Date()),
      resave: false,
      saveUninitialized: false,
      rolling: true,
      unset: 'destroy',
      cookie: { httpOnly: true, sameSite: 'lax', secure: config.isProduction, maxAge: idleMs, path: '/' },
    }),
  );
  router.use(loadUser(services.accounts, config.SESSION_MAX_HOURS * 3600_000));
  // Page locals only: JSON admin routes render nothing and need no CSRF cookie.
  router.use((req, res, next) => {
    if (req.path.startsWith('/api/')) return next();
    const user = req.user;
    res.locals.user = user;
    res.locals.can = Object.fromEntries((Object.keys(PERMISSIONS) as Permission[]).map((p) => [p, !!user && may(user.role, p)]));
    res.locals.csrfToken = csrf.token(req, res);
    next();
  });

  // One client address failing on many accounts is refused; per account, the throttle behind the
  // account service limits each (account, address) pair and never refuses the owner (README, security).
  const tooMany: RateLimitExceededEventHandler = (req, _res, next, options) => {
    const resetAt = (req as AugmentedRequest)[options.requestPropertyName]?.resetTime?.getTime() ?? Date.now() + WINDOW_MS;
    next(loginRateLimited(resetAt - Date.now()));
  };
  const loginLimits: RequestHandler[] = [
    rateLimit({ windowMs: WINDOW_MS, limit: config.LOGIN_MAX_PER_IP, skipSuccessfulRequests: true, standardHeaders: 'draft-8', legacyHeaders: false, store: services.rateLimitStore('login-ip'), handler: tooMany }),
  ];

  router.use(accountRoutes({ accounts: services.accounts, audit: services.audit, loginLimits, protect: csrf.protect }));
  router.get('/', allow('viewDashboards'), async (req, res) => {
    const petitions = await services.petitionAdmin.list({ live: may(req.user!.role, 'seeLiveCounts') });
    res.render('admin/home', { layout: 'admin', title: res.locals.t('admin.home.title'), petitions: petitions.map((p) => ({ ...p, coverage: languageCoverage(languagesOf(p)) })) });
  });
  // Petition management first: /petitions/new must not be taken for a dashboard slug.
  router.use(petitionAdminRoutes({ petitions: services.petitionAdmin, images: services.petitionImages, audit: services.audit, protect: csrf.protect, i18n: services.i18n }));
  router.use(embedWorkspaceRoutes({ petitions: services.petitionAdmin, audit: services.audit, protect: csrf.protect, baseUrl: config.BASE_URL, localHttp: !config.isProduction }));
  router.use(dashboardRoutes({ dashboard: services.dashboard, retention: services.purge, countExport: services.countExport, audit: services.audit }));
  router.use(exportRoutes({ petitionExport: services.petitionExport }));
  router.use(exportJobRoutes({ jobs: services.exportJobs, protect: csrf.protect }));
  router.use(moderationRoutes({ moderation: services.moderation, trending: services.trending, protect: csrf.protect }));
  router.use(paperRoutes({ paperImport: services.paperImport, protect: csrf.protect }));
  router.use(userAdminRoutes({ accounts: services.accounts, audit: services.audit, protect: csrf.protect }));
  router.use(auditRoutes(services.audit));
  router.use(targetAdminRoutes({ targets: services.targets, packets: services.packets, protect: csrf.protect }));
  router.use(organiserUpdateRoutes({ updates: services.organiserUpdates, protect: csrf.protect }));
  router.use(deliveryAdminRoutes({ targets: services.targets, packets: services.packets, audit: services.audit, protect: csrf.protect, photoMaxMb: config.DELIVERY_PHOTO_MAX_MB }));

  // JSON admin routes: same session, JSON in and out, 401/403 rather than redirects.
  const api = Router();
  api.use(requireJson, express.json({ limit: '16kb', strict: true }));
  api.use(dashboardApiRoutes({ dashboard: services.dashboard }));
  api.use(moderationApiRoutes({ moderation: services.moderation, trending: services.trending }));
  api.use(packetApiRoutes({ targets: services.targets, packets: services.packets }));
  api.use(exportJobApiRoutes({ jobs: services.exportJobs }));
  api.use(organiserUpdateApiRoutes({ updates: services.organiserUpdates }));
  api.use(() => {
    throw new NotFoundError('There is no such admin API route.');
  });
  router.use('/api', api);
  return router;
}
