import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Request } from 'express';
import { AppError } from '../shared/errors.js';

/** A widget's form stays usable for a reading, a coffee and a second thought; the README says why it expires at all. */
export const EMBED_TOKEN_TTL_MS = 4 * 3600_000;
// A server clock a little behind another instance's must not refuse a form that instance just issued.
const CLOCK_SKEW_MS = 60_000;

/**
 * CSRF protection for the sign widget without cookies, which browsers withhold from third-party frames (README,
 * "Embedding a petition"). Two checks, both needed:
 * - the request proves it comes from a document of our own origin (`Sec-Fetch-Site: same-origin`, else an `Origin`
 *   equal to ours): a page elsewhere can make a browser post, but cannot make it say so;
 * - the form carries a token we signed for this petition not long ago: a POST that never loaded a form of ours, or
 *   replays an old one or one issued for another petition, is refused.
 */
export function createEmbedCsrf(secret: Buffer, ownOrigins: string[], clock: () => Date = () => new Date()) {
  const mac = (slug: string, issuedAt: string) => createHmac('sha256', secret).update(`embed-sign\0${slug}\0${issuedAt}`).digest('base64url');

  return {
    issue(slug: string): string {
      const issuedAt = String(clock().getTime());
      return `${issuedAt}.${mac(slug, issuedAt)}`;
    },

    /** Throws a 403 naming what is wrong; the token is checked against the petition the form is posted to. */
    checkToken(token: unknown, slug: string): void {
      const [issuedAt = '', given = ''] = typeof token === 'string' ? token.split('.') : [];
      const expected = Buffer.from(mac(slug, issuedAt));
      const actual = Buffer.from(given);
      if (!/^\d{1,15}$/.test(issuedAt) || actual.length !== expected.length || !timingSafeEqual(actual, expected)) {
        throw new AppError(403, 'embed_token_invalid', 'This form was not issued by this site for this petition. Reload it and sign again.');
      }
      const age = clock().getTime() - Number(issuedAt);
      if (age > EMBED_TOKEN_TTL_MS || age < -CLOCK_SKEW_MS) throw new AppError(403, 'embed_token_expired', 'This form has expired. Reload it and sign again.');
    },

    /** Throws a 403 unless the browser says the request comes from one of our own pages. */
    checkOrigin(req: Request): void {
      const site = req.get('sec-fetch-site');
      const origin = req.get('origin');
      // A browser that sends Sec-Fetch-Site is believed on it alone: it also sends Origin, which a proxy may rewrite.
      const ours = site !== undefined ? site === 'same-origin' : origin !== undefined && [...ownOrigins, `${req.protocol}://${req.host}`].includes(origin);
      if (!ours) throw new AppError(403, 'embed_cross_site', 'This form can only be sent from the petition widget itself, not from another site.');
    },
  };
}

export type EmbedCsrf = ReturnType<typeof createEmbedCsrf>;
