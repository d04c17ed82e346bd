import { Router } from 'express';
import { DEFAULT_LANGUAGE, isLanguage, type Language } from '../i18n/languages.js';
import { matchesEtag } from '../web/etag.js';
import type { ShareImages } from './share-image-service.js';

/** Link previews re-fetch rarely and revalidate by ETag; an image at most 15 minutes old is fine for a 1% count step. */
const CACHE_CONTROL = 'public, max-age=900';

/**
 * `GET [/<lang>]/petitions/<slug>/share.png`. Mounted before the language routing: each language's image has one
 * fixed URL (the one `og:image` names), never a redirect by the fetcher's Accept-Language, and sets no cookie.
 */
export function shareImageRoutes(images: ShareImages): Router {
  const router = Router();
  router.get('{/:lang}/petitions/:slug/share.png', async (req, res, next) => {
    const prefix = req.params.lang;
    // English has no prefix; any other first segment is not ours (the 404 page says so in the right language).
    if (prefix !== undefined && (!isLanguage(prefix) || prefix === DEFAULT_LANGUAGE)) return next();
    const lang: Language = prefix ?? DEFAULT_LANGUAGE;
    res.locals.lang = lang;
    const image = await images.get(req.params.slug, lang);
    // Other sites (a partner's page, a chat app's web client) show the image too: helmet's same-origin default would block it.
    res.set({ 'Cache-Control': CACHE_CONTROL, ETag: image.etag, 'Content-Type': 'image/png', 'Cross-Origin-Resource-Policy': 'cross-origin' });
    if (matchesEtag(req.get('if-none-match'), image.etag)) return void res.status(304).end();
    res.send(image.png);
  });
  return router;
}
