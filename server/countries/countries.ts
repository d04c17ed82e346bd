import { intlLocale } from '../i18n/languages.js';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const isoCountries = require('i18n-iso-countries') as { getAlpha2Codes(): Record<string, string> };

/** Every ISO 3166-1 alpha-2 code (plus XK, Kosovo, in common use by the EU and others). */
export const COUNTRY_CODES: ReadonlySet<string> = new Set(Object.keys(isoCountries.getAlpha2Codes()));

export const isCountryCode = (code: string): boolean => COUNTRY_CODES.has(code);

const displayNames = new Map<string, Intl.DisplayNames>();
const optionLists = new Map<string, { code: string; name: string }[]>();

// CLDR names from the runtime's ICU: neutral, and translated for every language we will add.
export function countryName(code: string, lang: string): string {
  let names = displayNames.get(lang);
  if (!names) {
    names = new Intl.DisplayNames([lang], { type: 'region', fallback: 'code' });
    displayNames.set(lang, names);
  }
  return names.of(code) ?? code;
}

export function countryOptions(lang: string): { code: string; name: string }[] {
  let list = optionLists.get(lang);
  if (!list) {
    const collator = new Intl.Collator(intlLocale(lang));
    list = [...COUNTRY_CODES].map((code) => ({ code, name: countryName(code, lang) })).sort((a, b) => collator.compare(a.name, b.name));
    optionLists.set(lang, list);
  }
  return list;
}
