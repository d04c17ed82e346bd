import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Services } from '../compose.js';
import { AppError } from '../shared/errors.js';

/** The limits every way of signing shares (site form, embed, JSON API): one counter per client, whichever door. */
export interface SignLimits {
  sign: RequestHandler;
  confirm: RequestHandler;
}

const inSequence =
  (first: RequestHandler, second: RequestHandler): RequestHandler =>
  (req, res, next) =>
    void first(req, res, (error?: unknown) => (error ? next(error) : void second(req, res, next)));

export function signLimits({ config, rateLimitStore, signingLoad }: Pick<Services, 'config' | 'rateLimitStore' | 'signingLoad'>): SignLimits {
  const limiter = (name: 'sign' | 'confirm', perMinute: number): RequestHandler =>
    rateLimit({
      windowMs: 60_000,
      limit: perMinute,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      store: rateLimitStore(name),
      handler: (_req, _res, next) => next(new AppError(429, 'rate_limited', 'Too many attempts. Please wait a minute and try again.')),
    });
  return {
    sign: inSequence(signingLoad.track, limiter('sign', config.RATE_LIMIT_SIGN_PER_MINUTE)),
    // Confirming signers count as load too: the mail worker (which sends each a "counted" email) yields to them.
    confirm: inSequence(signingLoad.track, limiter('confirm', config.RATE_LIMIT_CONFIRM_PER_MINUTE)),
  };
}
