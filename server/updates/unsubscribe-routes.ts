import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { headingIn } from '../petitions/petition-text.js';
import { AppError } from '../shared/errors.js';
import type { UnsubscribeService } from './unsubscribe-service.js';

interface Deps {
  unsubscribe: UnsubscribeService;
  csrf: { protect: RequestHandler; token: (req: Request, res: Response) => string };
}

type TokenRequest = Request<{ token: string }>;

// RFC 8058 says the one-click body SHOULD come as multipart/form-data; the app parses url-encoded forms already.
const multipart = multer({ limits: { files: 0, fields: 2, fieldSize: 64, parts: 2, headerPairs: 10 } }).none();
const readMultipart: RequestHandler = (req, res, next) => {
  if (!req.is('multipart/form-data')) return next();
  multipart(req, res, (error: unknown) => next(error instanceof multer.MulterError ? new AppError(400, 'bad_request', 'Bad request.') : error));
};

// The pages sit behind a personal link: never indexed.
const noindex: RequestHandler = (_req, res, next) => {
  res.set('X-Robots-Tag', 'noindex, nofollow');
  next();
};

const isOneClick = (body: unknown) => {
  const fields = Object.entries((body ?? {}) as Record<string, unknown>);
  return fields.length === 1 && fields[0]![0] === 'List-Unsubscribe' && fields[0]![1] === 'One-Click';
};

/** `/unsubscribe/:token`: GET shows a button, POST stops the update emails. */
export function unsubscribeRoutes({ unsubscribe, csrf }: Deps): Router {
  const router = Router();
  const t = (res: Response) => res.locals.t as (key: string, vars?: object) => string;

  /**
   * Mail providers send the RFC 8058 one-click POST themselves, with neither our cookies nor our
   * page, so it cannot carry a CSRF token: exactly that body skips the check. That is safe because
   * CSRF abuses a browser's cookies, and here no cookie grants anything: the unguessable token in
   * the URL is the whole authority, and whoever holds it could unsubscribe anyway. The form keeps
   * CSRF like every other form.
   */
  const oneClickOrCsrf: RequestHandler = (req, res, next) => (isOneClick(req.body) ? next() : csrf.protect(req, res, next));

  // GET only shows a button: mail scanners that follow links must not unsubscribe anyone.
  router.get('/unsubscribe/:token', noindex, async (req: TokenRequest, res) => {
    const { petition } = await unsubscribe.check(req.params.token);
    res.render('unsubscribe', { title: t(res)('updates.unsubscribe.title'), petition: headingIn(petition, res.locals.lang), token: req.params.token, csrfToken: csrf.token(req, res) });
  });

  router.post('/unsubscribe/:token', noindex, readMultipart, oneClickOrCsrf, async (req: TokenRequest, res) => {
    const { petition } = await unsubscribe.unsubscribe(req.params.token);
    res.render('unsubscribe-done', { title: t(res)('updates.unsubscribe.doneTitle'), petition: headingIn(petition, res.locals.lang) });
  });

  return router;
}
