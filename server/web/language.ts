import type { Request, RequestHandler, Response } from 'express';
import type { I18n } from '../i18n/i18n.js';
import { DEFAULT_LANGUAGE, LANGUAGES, fromAcceptLanguage, hreflangAlternates, isLanguage, localisedPath, type Language } from '../i18n/languages.js';

const COOKIE = 'lang';
const YEAR_MS = 365 * 24 * 3600 * 1000;
// English keeps today's URLs; every other language lives under its code: /es/petitions/<slug>, /ar/verify ...
const PREFIXED = new RegExp(`^/(${LANGUAGES.filter((l) => l.code !== DEFAULT_LANGUAGE).map((l) => l.code).join('|')})(?=/|$)`);
// Surfaces without prefixes: the API (?lang= or Accept-Language), assets and health checks, the workspace (cookie), and
// the files robots and browsers ask for at fixed addresses (server/site/).
const UNPREFIXED_SURFACE = /^\/(api|static|health|admin|\.well-known|robots\.txt|sitemap\.xml|favicon\.ico)(\/|$)/;


/** The query string without `lang`, with its leading "?" when anything is left. */
function otherQuery(req: Request): string {
  const params = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
  params.delete('lang');
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}

/**
 * Picks each request's language and fills what every page needs to speak it: `lang`, `dir`, `t`, the path
 * `prefix` that links and redirects carry, the language switcher and the hreflang alternates.
 *
 * A prefixed path (/fr/...) is French and remembers French in a cookie. An unprefixed public page is English
 * unless the visitor chose otherwise (`?lang=`, which the switcher's English link carries, then the cookie) or,
 * on a first visit, their browser prefers a language we have: then it redirects to that language's path.
 */
export function languageRouting({ i18n, baseUrl, secure }: { i18n: I18n; baseUrl: string; secure: boolean }): RequestHandler {
  const remember = (res: Response, lang: Language, current: unknown) => {
    if (current !== lang) res.cookie(COOKIE, lang, { maxAge: YEAR_MS, sameSite: 'lax', secure, httpOnly: true, path: '/' });
  };
  const speak = (res: Response, lang: Language, prefix: string) => {
    res.locals.lang = lang;
    res.locals.dir = i18n.direction(lang);
    res.locals.prefix = prefix;
    res.locals.t = (key: string, vars?: Record<string, unknown>) => i18n.t(lang, key, vars);
  };
  // The switcher's links: the same page in each language. The workspace has no prefixes, so it always asks by `?lang=`.
  const pageLanguages = (req: Request, res: Response, lang: Language, workspace = false) => {
    const path = req.path;
    const query = otherQuery(req);
    const byQuery = (code: string) => `${path}${query ? `${query}&` : '?'}lang=${code}`;
    res.locals.languages = LANGUAGES.map((l) => ({
      code: l.code,
      name: l.name,
      dir: l.dir,
      current: l.code === lang,
      href: workspace || l.code === DEFAULT_LANGUAGE ? byQuery(l.code) : `${localisedPath(l.code, path)}${query}`,
    }));
    if (workspace) return;
    res.locals.alternates = hreflangAlternates(baseUrl, path);
  };

  return (req, res, next) => {
    const cookie: unknown = (req.cookies as Record<string, unknown> | undefined)?.[COOKIE];
    const explicit = isLanguage(req.query.lang) ? req.query.lang : null;
    const prefixed = PREFIXED.exec(req.path);
    if (prefixed) {
      const lang = prefixed[1] as Language;
      req.url = req.url.slice(lang.length + 1) || '/';
      if (!req.url.startsWith('/')) req.url = `/${req.url}`;
      if (req.method === 'GET') remember(res, lang, cookie);
      speak(res, lang, `/${lang}`);
      pageLanguages(req, res, lang);
      return next();
    }
    if (UNPREFIXED_SURFACE.test(req.path)) {
      const workspace = req.path.startsWith('/admin');
      if (workspace && explicit) remember(res, explicit, cookie);
      const chosen = explicit ?? (workspace && isLanguage(cookie) ? cookie : null) ?? fromAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LANGUAGE;
      // Country names and messages in API answers follow the header: shared caches must key on it.
      if (!explicit && req.path.startsWith('/api')) res.vary('Accept-Language');
      speak(res, chosen, '');
      if (workspace) pageLanguages(req, res, chosen, true);
      return next();
    }
    // An unprefixed public URL. Only page views move; a form posted here was posted from an English page.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      speak(res, DEFAULT_LANGUAGE, '');
      return next();
    }
    res.vary('Accept-Language').vary('Cookie');
    if (explicit) remember(res, explicit, cookie);
    const chosen = explicit ?? (isLanguage(cookie) ? cookie : null) ?? fromAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LANGUAGE;
    if (chosen !== DEFAULT_LANGUAGE) return res.redirect(302, `${localisedPath(chosen, req.path)}${otherQuery(req)}`);
    speak(res, DEFAULT_LANGUAGE, '');
    pageLanguages(req, res, DEFAULT_LANGUAGE);
    next();
  };
}
