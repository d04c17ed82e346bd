import { randomUUID } from 'node:crypto';
import express, { type Express } from 'express';
import { pinoHttp } from 'pino-http';
import type { Services } from './compose.js';
import { embedSurface } from './embed/index.js';
import { healthRoutes } from './health/health-routes.js';
import { fromRoot } from './shared/project-root.js';
import { TOKEN_SURFACES } from './site/link-preview.js';
import { apiSurface } from './surfaces/api-surface.js';
import { siteSurface } from './surfaces/site-surface.js';
import { workspaceSurface } from './surfaces/workspace-surface.js';
import { createAssets } from './web/assets.js';
import { createErrorHandler } from './web/error-handler.js';
import { createFonts } from './web/fonts.js';
import { apiSecurityHeaders, assetSecurityHeaders } from './web/security.js';
import { signLimits } from './web/sign-limits.js';
import { configureViews } from './web/views.js';

// Tokens in URLs are secrets: logs show the route, not the token.
const TOKEN_IN_URL = new RegExp(`/(${TOKEN_SURFACES.join('|')})/[^/?#]+`);
const redactUrl = (url: string) => url.replace(TOKEN_IN_URL, '/$1/:token');

/**
 * Builds the Express app from ready services. Does not listen: the boot module and tests do.
 *
 * Each surface is its own router with its own security headers, CSRF and CORS (server/surfaces/): the JSON API, the
 * workspace, the embed and the public site. What they share is mounted here: request logging, static files, views,
 * the signing limits (one counter per client whichever door it signs through) and the error handler.
 */
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

  const assets = createAssets(fromRoot('public'));
  const fonts = createFonts(fromRoot('node_modules', '@fontsource'));
  app.use('/static', assetSecurityHeaders(config.isProduction), assets.middleware);
  app.use('/static/fonts', fonts.middleware);
  configureViews(app, fromRoot('views'), assets.url, fonts.stylesheets);
  app.use('/healthz', apiSecurityHeaders(config.isProduction));
  app.use(healthRoutes(services.pingDatabase));

  const limits = signLimits(services);
  app.use('/api/v1', apiSurface(services, limits));
  app.use('/admin', workspaceSurface(services));
  app.use(embedSurface(services, limits));
  app.use(siteSurface(services, limits));

  app.use(createErrorHandler(i18n, logger));
  return app;
}
