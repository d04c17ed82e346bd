import type { RequestHandler } from 'express';
import { languageInfo, localisedPath, type Language } from '../i18n/languages.js';
import { numberFormat } from '../web/views.js';

/** Pages whose address ends in a secret token: never indexed, never canonical, kept from robots (robots.txt). */
export const TOKEN_SURFACES = ['confirm', 'receipts', 'unsubscribe'] as const;
const TOKEN_PAGE = new RegExp(`^/(${TOKEN_SURFACES.join('|')})/`);

/** What the layout's `<head>` says about a page besides its title. */
export interface PageMeta {
  /** Absent: the site's description from the catalogue. */
  description?: string;
  canonical?: string;
  noindex?: boolean;
  /** Open Graph and Twitter card: petition pages only. */
  preview?: {
    siteName: string;
    title: string;
    description: string;
    url: string;
    image: string;
    imageAlt: string;
    /** Not `locale`: a view helper of that name would shadow it. */
    ogLocale: string;
    ogLocaleAlternates: string[];
  };
}

/**
 * Every page's default: its canonical address in its language, or, on a token page, only "noindex". Runs after
 * language routing (which has taken the language prefix off the path); pages with more to say replace it.
 */
export function pageMeta(baseUrl: string): RequestHandler {
  return (req, res, next) => {
    const meta: PageMeta = TOKEN_PAGE.test(req.path) ? { noindex: true } : { canonical: `${baseUrl}${localisedPath(res.locals.lang, req.path)}` };
    res.locals.meta = meta;
    next();
  };
}

const graphemes = new Intl.Segmenter('en', { granularity: 'grapheme' });
// A link preview shows about two lines; search engines cut descriptions near 160 Latin characters.
const DESCRIPTION_MAX = 200;

/**
 * `text` on one line, cut to at most `max` characters (counted as a reader sees them, so an emoji or an Arabic letter
 * with its marks is never split) with an ellipsis, at a space when one is near (Chinese has none and is cut anywhere).
 */
export function excerpt(text: string, max = DESCRIPTION_MAX): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const chars = Array.from(graphemes.segment(flat), (s) => s.segment);
  if (chars.length <= max) return flat;
  const cut = chars.slice(0, max - 1).join('');
  const space = cut.lastIndexOf(' ');
  return `${(space > cut.length * 0.75 ? cut.slice(0, space) : cut).replace(/[\s,;:.،؛、，；：。-]+$/u, '')}…`;
}

interface PreviewedPetition {
  slug: string;
  /** In `language`: the page's language when the petition has it, else its main one. */
  title: string;
  summary: string;
  language: Language;
  /** Every language the petition has a text in. */
  languages: Language[];
  total: number;
}

/**
 * The head of a public petition page in `lang`: what WhatsApp, Telegram, X, Facebook and search engines show of a
 * shared link. og:locale is the language of the title and description (the main one on a page showing a fallback),
 * and its alternates the petition's other languages, so that together they are the languages the petition has.
 */
export function petitionLinkPreview(petition: PreviewedPetition, lang: string, baseUrl: string, t: (key: string, vars?: Record<string, unknown>) => string): PageMeta {
  const url = `${baseUrl}${localisedPath(lang, `/petitions/${petition.slug}`)}`;
  const description = excerpt(petition.summary);
  const signatures = t('home.signatures', { count: petition.total, formatted: numberFormat(lang).format(petition.total) });
  return {
    description,
    canonical: url,
    preview: {
      siteName: t('site.name'),
      title: petition.title,
      description,
      url,
      // Drawn by the share-image route in the page's language.
      image: `${baseUrl}${localisedPath(lang, `/petitions/${petition.slug}/share.png`)}`,
      imageAlt: t('siteBasics.imageAlt', { title: petition.title, signatures }),
      ogLocale: languageInfo(petition.language).ogLocale,
      ogLocaleAlternates: petition.languages.filter((code) => code !== petition.language).map((code) => languageInfo(code).ogLocale),
    },
  };
}
