import type { RequestHandler } from 'express';

/** Pages carry a per-browser CSRF token or personal data: a shared cache must never hand one person's page to another. */
export const noStore: RequestHandler = (_req, res, next) => {
  res.set('Cache-Control', 'private, no-store');
  next();
};
