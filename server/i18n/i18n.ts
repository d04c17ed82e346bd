import { readFileSync } from 'node:fs';
import i18next, { type TFunction } from 'i18next';

/** Catalogues shipped with the app; adding a language is adding a file and a code here. */
export const LANGUAGES = ['en'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

export interface I18n {
  t(lang: string, key: string, vars?: Record<string, unknown>): string;
  translator(lang: string): TFunction;
  pick(acceptLanguage: string | undefined, explicit?: string): Language;
  direction(lang: string): 'ltr' | 'rtl';
}

export async function createI18n(): Promise<I18n> {
  const instance = i18next.createInstance();
  const resources = Object.fromEntries(
    LANGUAGES.map((lang) => [
      lang,
      { translation: JSON.parse(readFileSync(new URL(`./locales/${lang}.json`, import.meta.url), 'utf8')) as object },
    ]),
  );
  // Handlebars escapes output; i18next must not escape a second time.
  await instance.init({ showSupportNotice: false, lng: DEFAULT_LANGUAGE, fallbackLng: DEFAULT_LANGUAGE, resources, interpolation: { escapeValue: false } });
  const isSupported = (lang: string): lang is Language => (LANGUAGES as readonly string[]).includes(lang);

  return {
    t: (lang, key, vars) => instance.getFixedT(lang)(key, vars ?? {}),
    translator: (lang) => instance.getFixedT(lang),
    pick(acceptLanguage, explicit) {
      if (explicit && isSupported(explicit)) return explicit;
      for (const part of (acceptLanguage ?? '').split(',')) {
        const tag = part.split(';')[0]?.trim().toLowerCase() ?? '';
        if (isSupported(tag)) return tag;
        const base = tag.split('-')[0] ?? '';
        if (isSupported(base)) return base;
      }
      return DEFAULT_LANGUAGE;
    },
    direction: (lang) => (['ar', 'he', 'fa', 'ur', 'ug'].includes(lang.split('-')[0] ?? '') ? 'rtl' : 'ltr'),
  };
}
