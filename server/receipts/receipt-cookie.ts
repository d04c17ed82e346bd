import type { Request, Response } from 'express';
import { LANGUAGES, localisedPath } from '../i18n/languages.js';

const COOKIE = 'hv_receipt';
const LIFETIME_MS = 30 * 60_000;
const TOKEN = /^[A-Za-z0-9_-]{40,400}$/;

/**
 * Hands a fresh receipt link from POST /confirm to the thank-you page it redirects to, in a cookie
 * rather than the URL: a thank-you page's address is what people copy to share the petition, and a
 * URL also lives on in history and synced tabs. The cookie is sent to that one page only, for half
 * an hour (in every language's path, so switching language there keeps the link). It needs no signature: the token
 * is sealed (receipt-token.ts) and names only its owner.
 */
export function rememberReceipt(req: Request, res: Response, slug: string, token: string): void {
  for (const { code } of LANGUAGES) {
    res.cookie(COOKIE, token, { httpOnly: true, sameSite: 'strict', secure: req.secure, path: localisedPath(code, `/petitions/${slug}/thanks`), maxAge: LIFETIME_MS });
  }
}

/** The receipt token remembered for this browser, if any. */
export function rememberedReceiptToken(req: Request): string | null {
  const token = (req.cookies as Record<string, unknown> | undefined)?.[COOKIE];
  return typeof token === 'string' && TOKEN.test(token) ? token : null;
}

/** The receipt page address remembered for this browser, if any, in the page's language. */
export function rememberedReceipt(req: Request, lang: string): string | null {
  const token = rememberedReceiptToken(req);
  return token ? localisedPath(lang, `/receipts/${token}`) : null;
}
