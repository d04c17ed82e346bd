import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { doubleCsrf } from 'csrf-csrf';
import type { RequestHandler } from 'express';
import helmet from 'helmet';
import { AppError } from '../shared/errors.js';

type Directive = string | ((req: IncomingMessage, res: ServerResponse) => string);

/** The policy of our HTML pages: everything from our own origin. Surfaces differ only in what they frame and who frames them. */
export const pageDirectives = (isProduction: boolean, { frameSrc = [], frameAncestors = ["'none'"] }: { frameSrc?: string[]; frameAncestors?: Directive[] } = {}) => ({
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  fontSrc: ["'self'"],
  formAction: ["'self'"],
  frameSrc: frameSrc.length ? frameSrc : ["'none'"],
  frameAncestors,
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  ...(isProduction ? { upgradeInsecureRequests: [] } : {}),
});

/**
 * Headers for HTML pages: everything from our own origin, nothing framed and no framing by anyone. `frameSrc` lets a
 * surface show our own embed (the workspace's preview); the embed's own headers are in server/embed/.
 */
export function pageSecurityHeaders({ isProduction, frameSrc = [] }: { isProduction: boolean; frameSrc?: string[] }): RequestHandler {
  return helmet({ contentSecurityPolicy: { useDefaults: false, directives: pageDirectives(isProduction, { frameSrc }) }, strictTransportSecurity: isProduction });
}

/** Headers for JSON answers: nothing in them may load, run or be framed. */
export function apiSecurityHeaders(isProduction: boolean): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
    strictTransportSecurity: isProduction,
  });
}

/** Static files (styles, scripts, fonts, images): no policy of their own to set beyond helmet's defaults. */
export function assetSecurityHeaders(isProduction: boolean): RequestHandler {
  return helmet({ contentSecurityPolicy: false, strictTransportSecurity: isProduction });
}

const SID_COOKIE = 'hv_sid';

/**
 * CSRF protection for HTML forms (double-submit cookie bound to an anonymous browser id:
 * signing needs no account, so there is no login session to bind to).
 */
export function createCsrf(secret: Buffer, isProduction: boolean, { name = 'x-csrf', path = '/' }: { name?: string; path?: string } = {}) {
  const sidOptions = { sameSite: 'lax' as const, secure: isProduction, httpOnly: true, path: '/' };
  const cookieOptions = { ...sidOptions, path };
  const browserId: RequestHandler = (req, res, next) => {
    // cookie-parser turns "j:"-prefixed cookies into objects; every cookie we set is a string, so anything else is dropped.
    const cookies = Object.fromEntries(Object.entries((req.cookies ?? {}) as Record<string, unknown>).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    if (!cookies[SID_COOKIE] || !/^[A-Za-z0-9_-]{22}$/.test(cookies[SID_COOKIE])) {
      const sid = randomBytes(16).toString('base64url');
      res.cookie(SID_COOKIE, sid, sidOptions);
      cookies[SID_COOKIE] = sid;
    }
    req.cookies = cookies;
    next();
  };
  const { doubleCsrfProtection, generateCsrfToken } = doubleCsrf({
    getSecret: () => secret.toString('base64'),
    getSessionIdentifier: (req) => String((req.cookies as Record<string, string>)[SID_COOKIE] ?? ''),
    // __Host- cookies must have path '/': a surface's own path scopes the name instead.
    cookieName: isProduction && path === '/' ? `__Host-hv.${name}` : isProduction ? `__Secure-hv.${name}` : `hv.${name}`,
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
