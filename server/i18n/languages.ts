/**
 * The languages Handover speaks: the one list that pages, validation messages, emails, receipts, cover letters,
 * country names, dates and numbers all read. Adding a language is adding its catalogues
 * (`server/i18n/locales/<code>.json` and `locales/<code>/`) and one line here.
 */
export const LANGUAGES = [
  { code: 'en', name: 'English', dir: 'ltr', intl: 'en', fonts: null, ogLocale: 'en_GB' },
  { code: 'es', name: 'Español', dir: 'ltr', intl: 'es', fonts: null, ogLocale: 'es_ES' },
  { code: 'fr', name: 'Français', dir: 'ltr', intl: 'fr', fonts: null, ogLocale: 'fr_FR' },
  // Western digits (0-9) for Arabic, stated rather than left to the ICU version: counts read out at an embassy must be
  // the same figure on every page, packet and share image, and readers from the Maghreb and the diaspora use them.
  { code: 'ar', name: 'العربية', dir: 'rtl', intl: 'ar-u-nu-latn', fonts: 'arabic', ogLocale: 'ar_AR' },
  { code: 'zh-Hans', name: '简体中文', dir: 'ltr', intl: 'zh-Hans', fonts: 'sc', ogLocale: 'zh_CN' },
  { code: 'zh-Hant', name: '繁體中文', dir: 'ltr', intl: 'zh-Hant', fonts: 'tc', ogLocale: 'zh_TW' },
] as const satisfies readonly {
  code: string;
  name: string;
  dir: 'ltr' | 'rtl';
  intl: string;
  fonts: 'arabic' | 'sc' | 'tc' | null;
  /** Open Graph's locale (language_TERRITORY, as Facebook lists them): our English is British, Arabic has Facebook's generic ar_AR. */
  ogLocale: string;
}[];

export type Language = (typeof LANGUAGES)[number]['code'];
export type LanguageInfo = (typeof LANGUAGES)[number];
export const LANGUAGE_CODES = LANGUAGES.map((l) => l.code) as [Language, ...Language[]];
export const DEFAULT_LANGUAGE: Language = 'en';

const byCode = new Map<string, LanguageInfo>(LANGUAGES.map((l) => [l.code, l]));
export const isLanguage = (code: unknown): code is Language => typeof code === 'string' && byCode.has(code);
export const languageInfo = (code: string): LanguageInfo => byCode.get(code) ?? byCode.get(DEFAULT_LANGUAGE)!;

/** The locale `Intl` formats with for a page language (numbering system included). */
export const intlLocale = (lang: string): string => languageInfo(lang).intl;
export const direction = (lang: string): 'ltr' | 'rtl' => languageInfo(lang).dir;

/**
 * The supported language a BCP 47 tag asks for: exact first, then by script (zh-TW, zh-HK, zh-MO → Traditional;
 * other zh → Simplified), then by base language. Null when none fits.
 */
export function matchLanguage(tag: string): Language | null {
  const lower = tag.trim().toLowerCase();
  for (const l of LANGUAGES) if (l.code.toLowerCase() === lower) return l.code;
  const [base, ...rest] = lower.split('-');
  if (base === 'zh') return rest.some((part) => ['hant', 'tw', 'hk', 'mo'].includes(part)) ? 'zh-Hant' : 'zh-Hans';
  return LANGUAGES.find((l) => l.code === base)?.code ?? null;
}

/** The best supported language in an Accept-Language header, honouring q-values; null when none fits. */
export function fromAcceptLanguage(header: string | undefined): Language | null {
  const ranked = (header ?? '')
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag && r.tag !== '*' && r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const r of ranked) {
    const match = matchLanguage(r.tag);
    if (match) return match;
  }
  return null;
}

/** A site path in a language: English keeps the path, the others put their code first (/ar/confirm/…). */
export const localisedPath = (lang: string, path: string): string => (!isLanguage(lang) || lang === DEFAULT_LANGUAGE ? path : `/${lang}${path}`);

/** A page's absolute address in every language, and x-default (the unprefixed one): the page head's hreflang links and the sitemap's. */
export const hreflangAlternates = (baseUrl: string, path: string): { hreflang: string; href: string }[] => [
  ...LANGUAGES.map((l) => ({ hreflang: l.code, href: `${baseUrl}${localisedPath(l.code, path)}` })),
  { hreflang: 'x-default', href: `${baseUrl}${path}` },
];
