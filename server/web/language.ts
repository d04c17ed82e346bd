import type { Request, RequestHandler, Response } from 'express';
import type { I18n } from '../i18n/i18n.js';
import { DEFAULT_LANGUAGE, LANGUAGES, fromAcceptLanguage, hreflangAlternates, isLanguage, localisedPath, type Language } from '../i18n/languages.js';

const COOKIE = 'lang';
const YEAR_MS = 365 * 24 * 3600 * 1000;
// English keeps today's URLs; every other language lives under its code: /es/petitions/<slug>, /ar/verify ...
const PREFIXED = new RegExp(`^/(${LANGUAGES.filter((l) => l.code !== DEFAULT_LANGUAGE).map((l) => l.code).join('|')})(?=/|$)`);
// Addresses on the site's own router that never move by language: the files robots and browsers ask for at fixed
// addresses (server/site/), and anything under another surface's path that no surface answered (its 404).
const UNPREFIXED = /^\/(api|static|health|admin|embed|\.well-known|robots\.txt|sitemap\.xml|favicon\.ico)(\/|$)/;

/** The query string without `lang`, with its leading "?" when anything is left. */
function otherQuery(req: Request): string {
  const params = new URLSearchParams(req.originalUrl.split('?')[1] ?? '');
  params.delete('lang');
  const rest = params.toString();
  return rest ? `?${rest}` : '';
}

const cookieOf = (req: Request): unknown => (req.cookies as Record<string, unknown> | undefined)?.[COOKIE];
const explicitOf = (req: Request): Language | null => (isLanguage(req.query.lang) ? req.query.lang : null);

/** Sets what every view needs to speak `lang`: `lang`, `dir`, `t` and the `prefix` that links and redirects carry. */
export function speaker(i18n: I18n) {
  return (res: Response, lang: Language, prefix = '') => {
    res.locals.lang = lang;
    res.locals.dir = i18n.direction(lang);
    res.locals.prefix = prefix;
    res.locals.t = (key: string, vars?: Record<string, unknown>) => i18n.t(lang, key, vars);
  };
}

function remembering(secure: boolean) {
  return (res: Response, lang: Language, current: unknown) => {
    if (current !== lang) res.cookie(COOKIE, lang, { maxAge: YEAR_MS, sameSite: 'lax', secure, httpOnly: true, path: '/' });
  };
}

/** The switcher's links: the same page in each language, by path prefix on the public site, by `?lang=` elsewhere. */
function switcher(req: Request, res: Response, lang: Language, byQueryOnly: boolean) {
  // The workspace's links keep the address as asked (its router is mounted at /admin); the site's drop the prefix.
  const path = byQueryOnly ? (req.originalUrl.split('?')[0] ?? '/') : req.path;
  const query = otherQuery(req);
  const byQuery = (code: string) => `${path}${query ? `${query}&` : '?'}lang=${code}`;
  res.locals.languages = LANGUAGES.map((l) => ({
    code: l.code,
    name: l.name,
    dir: l.dir,
    current: l.code === lang,
    href: byQueryOnly || l.code === DEFAULT_LANGUAGE ? byQuery(l.code) : `${localisedPath(l.code, path)}${query}`,
  }));
}

/**
 * The public site's language. A prefixed path (/fr/...) is French and remembers French in a cookie. An unprefixed
 * page is English unless the visitor chose otherwise (`?lang=`, which the switcher's English link carries, then the
 * cookie) or, on a first visit, their browser prefers a language we have: then it redirects to that language's path.
 * Also sets the switcher and the hreflang alternates.
 */
export function siteLanguage({ i18n, baseUrl, secure }: { i18n: I18n; baseUrl: string; secure: boolean }): RequestHandler {
  const speak = speaker(i18n);
  const remember = remembering(secure);
  const pageLanguages = (req: Request, res: Response, lang: Language) => {
    switcher(req, res, lang, false);
    res.locals.alternates = hreflangAlternates(baseUrl, req.path);
  };

  return (req, res, next) => {
    const cookie = cookieOf(req);
    const explicit = explicitOf(req);
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
    if (UNPREFIXED.test(req.path)) {
      speak(res, explicit ?? fromAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LANGUAGE);
      return next();
    }
    // An unprefixed public URL. Only page views move; a form posted here was posted from an English page.
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      speak(res, DEFAULT_LANGUAGE);
      return next();
    }
    res.vary('Accept-Language').vary('Cookie');
    if (explicit) remember(res, explicit, cookie);
    const chosen = explicit ?? (isLanguage(cookie) ? cookie : null) ?? fromAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LANGUAGE;
    if (chosen !== DEFAULT_LANGUAGE) return res.redirect(302, `${localisedPath(chosen, req.path)}${otherQuery(req)}`);
    speak(res, DEFAULT_LANGUAGE);
    pageLanguages(req, res, DEFAULT_LANGUAGE);
    next();
  };
}

/** The JSON API's language: `?lang=`, else Accept-Language (then shared caches must key on it), else English. */
export function askedLanguage(i18n: I18n): RequestHandler {
  const speak = speaker(i18n);
  return (req, res, next) => {
    const explicit = explicitOf(req);
    if (!explicit) res.vary('Accept-Language');
    speak(res, explicit ?? fromAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LANGUAGE);
    next();
  };
}

/** The workspace has no prefixes: `?lang=` (the switcher's links, remembered in the cookie), the cookie, Accept-Language. */
export function workspaceLanguage({ i18n, secure }: { i18n: I18n; secure: boolean }): RequestHandler {
  const speak = speaker(i18n);
  const remember = remembering(secure);
  return (req, res, next) => {
    const cookie = cookieOf(req);
    const explicit = explicitOf(req);
    if (explicit) remember(res, explicit, cookie);
    const chosen = explicit ?? (isLanguage(cookie) ? cookie : null) ?? fromAcceptLanguage(req.headers['accept-language']) ?? DEFAULT_LANGUAGE;
    speak(res, chosen);
    switcher(req, res, chosen, true);
    next();
  };
}
