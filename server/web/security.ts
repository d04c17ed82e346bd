import { randomBytes } from 'node:crypto';
import { doubleCsrf } from 'csrf-csrf';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { AppError } from '../shared/errors.js';

export function securityHeaders(isProduction: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        ...(isProduction ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: isProduction,
  });
}

const SID_COOKIE = 'hv_sid';

/**
 * CSRF protection for HTML forms (double-submit cookie bound to an anonymous browser id:
 * signing needs no account, so there is no login session to bind to).
 */
export function createCsrf(secret: Buffer, isProduction: boolean) {
  const cookieOptions = { sameSite: 'lax' as const, secure: isProduction, httpOnly: true, path: '/' };
  const browserId: RequestHandler = (req, res, next) => {
    // cookie-parser turns "j:"-prefixed cookies into objects; every cookie we set is a string, so anything else is dropped.
    const cookies = Object.fromEntries(Object.entries((req.cookies ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    if (!cookies[SID_COOKIE] || !/^[A-Za-z0-9_-]{22}$/.test(cookies[SID_COOKIE])) {
      const sid = randomBytes(16).toString('base64url');
      res.cookie(SID_COOKIE, sid, cookieOptions);
      cookies[SID_COOKIE] = sid;
    }
    req.cookies = cookies;
    next();
  };
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret.toString('base64'),
    getSessionIdentifier: (req) => String((req.cookies as Record<string, string>)[SID_COOKIE] ?? ''),
    cookieName: isProduction ? '__Host-hv.x-csrf' : 'hv.x-csrf',
    cookieOptions,
    getCsrfTokenFromRequest: (req) => (req.body as Record<string, unknown> | undefined)?._csrf as string | undefined,
  });
  return { browserId, protect: doubleCsrfProtection, token: generateCsrfToken };
}

/** The JSON API takes JSON only: anything else with a body is refused before parsing. */
export const requireJson: RequestHandler = (req, _res, next) => {
  const hasBody = Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
  if ((hasBody || req.headers['content-type']) && !req.is('application/json')) {
    throw new AppError(415, 'unsupported_media_type', 'Send the request body as application/json.');
  }
  next();
};
