import type { I18n } from '../../i18n/i18n.js';
import { direction, intlLocale, languageInfo, type Language } from '../../i18n/languages.js';
import type { CjkVariant } from './fonts.js';

/** How text in a language is set: its direction, and the face its Han characters take. */
export interface Script {
  rtl: boolean;
  cjk: CjkVariant;
}

export const scriptOf = (language: string): Script => ({ rtl: direction(language) === 'rtl', cjk: languageInfo(language).fonts === 'tc' ? 'tc' : 'sc' });

/** The letter's language: its sentences (the `letter.*` keys of the catalogues), its numbers and dates, and how it is set. */
export interface Letter extends Script {
  language: Language;
  t(key: string, vars?: Record<string, unknown>): string;
  /** The variables of a sentence that counts `n`: its plural form follows `n`, and `{{number}}` shows it formatted. */
  counted(n: number, vars?: Record<string, unknown>): Record<string, unknown>;
  count(n: number): string;
  date(date: Date): string;
  /** A language's name as the letter writes it ("anglais" in French). */
  languageName(code: string): string;
}

/** Numbers and dates come from `intlLocale`, which gives every language Western digits (the Arabic letters too). */
export function letterIn(i18n: I18n, language: Language): Letter {
  const locale = intlLocale(language);
  // Made once: a formatter costs a fraction of a millisecond, and is used on every country heading and table row.
  const format = new Intl.NumberFormat(locale);
  const translate = i18n.translator(language);
  return {
    language,
    ...scriptOf(language),
    t: (key, vars = {}) => translate(key, vars),
    counted: (n, vars) => ({ ...vars, count: n, number: format.format(n) }),
    count: (n) => format.format(n),
    date: (date) => new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date),
    languageName: (code) => new Intl.DisplayNames([locale], { type: 'language' }).of(code) ?? code,
  };
}
