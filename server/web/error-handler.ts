import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { I18n } from '../i18n/i18n.js';
import { isTransient, isUnavailable } from '../db/transient.js';
import { AppError, NotFoundError, RateLimitedError, UnavailableError } from '../shared/errors.js';
import { fieldMessages } from './field-errors.js';

// body-parser reports its failures by `type`; each becomes a clear 4xx.
const BODY_ERRORS: Record<string, [number, string]> = {
  'entity.parse.failed': [400, 'malformed_json'],
  'entity.too.large': [413, 'body_too_large'],
  'charset.unsupported': [415, 'unsupported_media_type'],
  'encoding.unsupported': [415, 'unsupported_media_type'],
  'entity.verify.failed': [400, 'bad_request'],
  'request.aborted': [400, 'bad_request'],
  'request.size.invalid': [400, 'bad_request'],
  'parameters.too.many': [413, 'body_too_large'],
};

const camel = (code: string) => code.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  const e = error as { type?: string; code?: string; status?: number };
  const known = e.type ? BODY_ERRORS[e.type] : undefined;
  if (known) return new AppError(known[0], known[1], 'Bad request.', undefined, { cause: error });
  if (e.code === 'EBADCSRFTOKEN') return new AppError(403, 'csrf', 'Your form expired. Please reload the page and submit again.', undefined, { cause: error });
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500) return new AppError(e.status, 'bad_request', 'Bad request.', undefined, { cause: error });
  // Retries of a busy database ran out, or it cannot be reached: nothing was stored, try again.
  if (isTransient(error) || isUnavailable(error)) return new UnavailableError(5, { cause: error });
  return new AppError(500, 'server', 'Something went wrong on our side. Please try again in a moment.', undefined, { cause: error });
}

export const wantsJson = (path: string) => path.startsWith('/api/') || path.startsWith('/admin/api/') || path === '/healthz';

export function createErrorHandler(i18n: I18n, logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, res, _next) => {
    const appError = toAppError(error);
    const lang = typeof res.locals.lang === 'string' ? res.locals.lang : 'en';
    const retryAfter = appError instanceof UnavailableError || appError instanceof RateLimitedError ? appError.retryAfterSeconds : null;
    const log = (req as { log?: Logger }).log ?? logger;
    // Every code the app throws has a sentence (test/catalogues.test.ts checks); one that slips through shows English, never a 500.
    const key = `errors.${camel(appError.code)}`;
    const known = i18n.has(key);
    if (!known) log.warn({ code: appError.code }, 'error code without a catalogue sentence');
    const message = known ? i18n.t(lang, key, { ...appError.vars, ...(retryAfter === null ? {} : { seconds: retryAfter }) }) : appError.message;
    const fields = appError.fields ? fieldMessages(appError.fields, (key) => i18n.t(lang, key)) : undefined;
    if (appError instanceof UnavailableError) log.warn({ code: appError.code, reason: (appError.cause as Error | undefined)?.name }, 'database unavailable');
    else if (appError.status >= 500) log.error({ err: appError.cause ?? appError }, 'request failed');
    else log.info({ code: appError.code, status: appError.status }, 'request refused');

    if (res.headersSent) return;
    res.status(appError.status);
    if (retryAfter !== null) res.set('Retry-After', String(retryAfter));
    if (wantsJson(req.path)) {
      res.json({ error: { code: appError.code, message, ...(fields ? { fields } : {}) } });
      return;
    }
    const title = i18n.t(lang, 'errors.pageTitle');
    // An error is no page of its own: no canonical address for search engines to keep (server/site/link-preview.ts).
    res.locals.meta = { noindex: true };
    res.render('error', { title, message }, (renderError, html) => {
      // The template itself failing must not turn into a stack trace: fall back to plain escaped HTML.
      if (renderError) res.type('html').send(`<!doctype html><html lang="${escapeHtml(lang)}"><title>${escapeHtml(title)}</title><p>${escapeHtml(message)}</p>`);
      else res.send(html);
    });
  };
}

export const notFound: RequestHandler = () => {
  throw new NotFoundError('We could not find that page.');
};

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
