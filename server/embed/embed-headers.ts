import type { RequestHandler, Response } from 'express';
import helmet from 'helmet';
import { pageDirectives } from '../web/security.js';

/**
 * The embed's own headers. Unlike every other page it may be framed: by any web page when the petition has no allowlist,
 * else only by the allowlisted sites and our own workspace (its live preview). Loaded into a partner's page, its
 * documents must not be same-origin-only resources either; and it sends no X-Frame-Options, which knows no allowlist.
 */
export function embedSecurityHeaders(isProduction: boolean): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: pageDirectives(isProduction, { frameAncestors: [(_req, res) => frameAncestors(res as Response)] }),
    },
    xFrameOptions: false,
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    strictTransportSecurity: isProduction,
  });
  return (req, res, next) => {
    // Whatever ran before (a surface's defaults) must not leave a header that forbids all framing.
    res.removeHeader('X-Frame-Options');
    headers(req, res, next);
  };
}

/** Set by the route once it knows the petition; until then (an unknown petition's error page) any page may frame it. */
export const allowFramingBy = (res: Response, origins: string[]) => {
  res.locals.embedOrigins = origins;
};

function frameAncestors(res: Response): string {
  const origins = (res.locals.embedOrigins as string[] | undefined) ?? [];
  return origins.length === 0 ? '*' : ["'self'", ...origins].join(' ');
}

/** A counter image other sites show in <img>: nothing in it loads or runs, and any page may display it. */
export function badgeSecurityHeaders(isProduction: boolean): RequestHandler {
  const headers = helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"] } },
    crossOriginResourcePolicy: { policy: 'cross-origin' },
    strictTransportSecurity: isProduction,
  });
  return (req, res, next) => {
    res.removeHeader('X-Frame-Options');
    headers(req, res, next);
  };
}
