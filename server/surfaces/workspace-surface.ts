import cookieParser from 'cookie-parser';
import express, { Router } from 'express';
import { adminRouter } from '../admin/admin-router.js';
import type { Services } from '../compose.js';
import { notFound } from '../web/error-handler.js';
import { workspaceLanguage } from '../web/language.js';
import { createCsrf, pageSecurityHeaders } from '../web/security.js';
import { noStore } from '../web/no-store.js';

/**
 * `/admin`: the organisers' workspace. Its pages may frame our own embed (the snippets' live preview) and nothing
 * else; its CSRF token has its own cookie, scoped to /admin, so a token from a public page is never one here. No CORS.
 */
export function workspaceSurface(services: Services): Router {
  const { config } = services;
  const router = Router();
  router.use(pageSecurityHeaders({ isProduction: config.isProduction, frameSrc: ["'self'"] }));
  router.use(cookieParser(), workspaceLanguage({ i18n: services.i18n, secure: config.isProduction }), noStore);
  const csrf = createCsrf(services.secrets.csrf, config.isProduction, { name: 'ws-csrf', path: '/admin' });
  // Workspace forms carry petition texts, up to 50,000 characters in each of six languages.
  // (50,000 characters of Chinese are 150 kB of UTF-8 and about 450 kB once URL-encoded.)
  router.use(csrf.browserId, express.urlencoded({ extended: false, limit: '3mb', parameterLimit: 50 }));
  router.use(adminRouter(services, csrf));
  router.use(notFound);
  return router;
}
