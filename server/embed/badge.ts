import { createHash } from 'node:crypto';
import { Router, type RequestHandler } from 'express';
import type { I18n } from '../i18n/i18n.js';
import { direction, isLanguage } from '../i18n/languages.js';
import type { PetitionService } from '../petitions/petition-service.js';
import { escapeXml } from '../dashboard/svg-text.js';
import { matchesEtag } from '../web/etag.js';
import { numberFormat } from '../web/views.js';

/** Partners' pages show the count a minute old at most; between changes a revalidation costs a 304. */
const CACHE_CONTROL = 'public, max-age=60';
const HEIGHT = 28;

// A rough advance per character at 13 px: images cannot load our web fonts, so the reader's own font draws it.
const advance = (c: string) => (/[\u1100-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/.test(c) ? 13 : /[\u0600-\u06ff]/.test(c) ? 7 : 7.5);
const widthOf = (text: string) => Math.ceil([...text].reduce((sum, c) => sum + advance(c), 0));

/** A counter badge: "1,234 signatures" in the reader's language and digits, in a rounded box. */
export function renderBadge(text: string, lang: string): string {
  const width = widthOf(text) + 24;
  const rtl = direction(lang) === 'rtl';
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${HEIGHT}" viewBox="0 0 ${width} ${HEIGHT}" role="img" aria-label="${escapeXml(text)}" lang="${lang}">`,
    `<title>${escapeXml(text)}</title>`,
    `<rect width="${width}" height="${HEIGHT}" rx="6" fill="#006b3c"/>`,
    `<text x="${width / 2}" y="18.5" fill="#fff" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif" font-size="13" font-weight="700" text-anchor="middle"${rtl ? ' direction="rtl"' : ''}>${escapeXml(text)}</text>`,
    '</svg>',
  ].join('');
}

/**
 * `GET /petitions/<slug>/badge.svg[?lang=]`: a live counter for partners' pages, in `?lang=`, else the petition's main
 * language (never the fetcher's Accept-Language, so every cache holds one image per address).
 */
export function badgeRoutes({ petitions, i18n, headers }: { petitions: PetitionService; i18n: I18n; headers: RequestHandler }): Router {
  const router = Router();
  router.get('/petitions/:slug/badge.svg', headers, async (req, res) => {
    const petition = await petitions.findVisible(String(req.params.slug));
    const lang = isLanguage(req.query.lang) ? req.query.lang : petition.language;
    res.locals.lang = lang;
    const { total } = await petitions.count(petition.slug);
    const svg = renderBadge(i18n.t(lang, 'home.signatures', { count: total, formatted: numberFormat(lang).format(total) }), lang);
    const etag = `"${createHash('sha256').update(svg).digest('base64url').slice(0, 22)}"`;
    res.set({ 'Content-Type': 'image/svg+xml; charset=utf-8', 'Cache-Control': CACHE_CONTROL, ETag: etag });
    if (matchesEtag(req.get('if-none-match'), etag)) return void res.status(304).end();
    res.send(svg);
  });
  return router;
}
