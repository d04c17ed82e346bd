import { Router, type Response } from 'express';
import type { Config } from '../config/config.js';
import { LANGUAGES, hreflangAlternates, localisedPath } from '../i18n/languages.js';
import { fromRoot } from '../shared/project-root.js';
import { TOKEN_SURFACES } from './link-preview.js';

interface Deps {
  config: Pick<Config, 'BASE_URL' | 'SECURITY_CONTACT'>;
  petitions: { listOpen(lang: string): Promise<{ slug: string }[]> };
  clock?: () => Date;
}

const DAY_SECONDS = 24 * 3600;
// RFC 9116 recommends an expiry under a year ahead; the file is written per request, so it never goes stale.
const SECURITY_TXT_DAYS = 364;

const xml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const plain = (res: Response, maxAgeSeconds: number, lines: string[]) =>
  res.type('text/plain; charset=utf-8').set('Cache-Control', `public, max-age=${maxAgeSeconds}`).send(`${lines.join('\n')}\n`);

/**
 * The files robots, browsers and security researchers ask for at fixed, unprefixed addresses. Mounted before
 * language routing (server/web/language.ts lists them as unprefixed too), so none of them redirects by language.
 */
export function siteRoutes({ config, petitions, clock = () => new Date() }: Deps): Router {
  const router = Router();
  const base = config.BASE_URL;

  router.get('/robots.txt', (_req, res) => {
    // Token pages are secret addresses in every language; the workspace and the API are no pages to index.
    const tokenPaths = LANGUAGES.flatMap((l) => TOKEN_SURFACES.map((surface) => `Disallow: ${localisedPath(l.code, `/${surface}/`)}`));
    plain(res, DAY_SECONDS, ['User-agent: *', 'Disallow: /admin', 'Disallow: /api/', ...tokenPaths, 'Allow: /', '', `Sitemap: ${base}/sitemap.xml`]);
  });

  // Browsers ask for /favicon.ico whatever the page links; the pages link the same SVG (views/layouts).
  router.get('/favicon.ico', (_req, res) => {
    res.sendFile(fromRoot('public', 'favicon.svg'), { maxAge: DAY_SECONDS * 1000 });
  });

  // RFC 9116. Without a contact there is nothing to say: the file would be invalid, so there is none.
  router.get('/.well-known/security.txt', (_req, res, next) => {
    if (!config.SECURITY_CONTACT) return next();
    const expires = new Date(clock().getTime() + SECURITY_TXT_DAYS * DAY_SECONDS * 1000);
    plain(res, DAY_SECONDS, [
      `Contact: ${config.SECURITY_CONTACT}`,
      `Expires: ${expires.toISOString().replace(/\.\d{3}Z$/, 'Z')}`,
      `Preferred-Languages: ${LANGUAGES.map((l) => l.code).join(', ')}`,
      `Canonical: ${base}/.well-known/security.txt`,
    ]);
  });

  // Every open petition (and the home page) in every language, each listing all its languages as Google asks.
  router.get('/sitemap.xml', async (_req, res) => {
    const paths = ['/', ...(await petitions.listOpen('en')).map((p) => `/petitions/${encodeURIComponent(p.slug)}`)];
    const urls = paths.flatMap((path) => {
      const links = hreflangAlternates(base, path)
        .map((a) => `<xhtml:link rel="alternate" hreflang="${xml(a.hreflang)}" href="${xml(a.href)}"/>`)
        .join('');
      return LANGUAGES.map((l) => `<url><loc>${xml(`${base}${localisedPath(l.code, path)}`)}</loc>${links}</url>`);
    });
    res
      .type('application/xml; charset=utf-8')
      .set('Cache-Control', `public, max-age=${3600}`)
      .send(
        `<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" xmlns:xhtml="http://www.w3.org/1999/xhtml">\n${urls.join('\n')}\n</urlset>\n`,
      );
  });

  return router;
}
