import { existsSync, readdirSync, readFileSync } from 'node:fs';
import i18next, { type TFunction } from 'i18next';
import path from 'node:path';
import { fromRoot } from '../shared/project-root.js';

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
  const resources = Object.fromEntries(LANGUAGES.map((lang) => [lang, { translation: loadCatalogue(lang) }]));
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

type Catalogue = { [key: string]: string | Catalogue };

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Catalogue;

function merge(into: Catalogue, from: Catalogue): Catalogue {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    into[key] = typeof value === 'object' && typeof existing === 'object' ? merge(existing, value) : value;
  }
  return into;
}

/** `locales/<lang>.json` for the public site, plus one file per admin feature in `locales/<lang>/`. */
function loadCatalogue(lang: string): Catalogue {
  const catalogue = readJson(fromRoot('server/i18n/locales', `${lang}.json`));
  const dir = fromRoot('server/i18n/locales', lang);
  if (!existsSync(dir)) return catalogue;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) merge(catalogue, readJson(path.join(dir, file)));
  return catalogue;
}
