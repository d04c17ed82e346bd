// What every request's res.locals carries, set by the language middleware (web/language.ts).
declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Locals {
      t: (key: string, vars?: Record<string, unknown>) => string;
      lang: string;
      dir: 'ltr' | 'rtl';
      /** '' for English, '/es' for Spanish ...: what every public link and redirect starts with. */
      prefix: string;
      /** The language switcher: every language, with the link to this same page in it. */
      languages?: { code: string; name: string; dir: string; current: boolean; href: string }[];
      /** `<link rel="alternate" hreflang>` for every language and x-default, as absolute URLs. */
      alternates?: { hreflang: string; href: string }[];
    }
  }
}

export {};
