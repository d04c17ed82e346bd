import { existsSync, readdirSync, readFileSync } from 'node:fs';
import i18next, { type TFunction } from 'i18next';
import path from 'node:path';
import { fromRoot } from '../shared/project-root.js';
import { DEFAULT_LANGUAGE, LANGUAGES, direction, isLanguage, type Language } from './languages.js';
import { catalogueProblems, type Catalogue } from './catalogue-check.js';

export interface I18n {
  t(lang: string, key: string, vars?: Record<string, unknown>): string;
  /** Whether the catalogues have `key`: for texts that may be absent on purpose (an error code with no sentence of its own). */
  has(key: string): boolean;
  translator(lang: string): TFunction;
  direction(lang: string): 'ltr' | 'rtl';
}

/**
 * `strict` (everywhere but production): a catalogue that lacks a key, a placeholder or a plural form of English's
 * stops the boot, and asking for a key no catalogue has throws, so tests fail instead of showing a key or English.
 * In production a gap falls back to English and is logged, so one missing sentence never takes the site down.
 */
export async function createI18n({ strict = true, warn = (_message: string): void => {} }: { strict?: boolean; warn?: (message: string) => void } = {}): Promise<I18n> {
  const catalogues = Object.fromEntries(LANGUAGES.map((l) => [l.code, loadCatalogue(l.code)])) as Record<Language, Catalogue>;
  const problems = catalogueProblems(catalogues);
  if (problems.length > 0) {
    const message = `catalogues incomplete:\n${problems.join('\n')}`;
    if (strict) throw new Error(message);
    warn(message);
  }
  const instance = i18next.createInstance();
  await instance.init({
    showSupportNotice: false,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    resources: Object.fromEntries(Object.entries(catalogues).map(([lang, catalogue]) => [lang, { translation: catalogue }])),
    // Handlebars escapes output; i18next must not escape a second time.
    interpolation: { escapeValue: false },
    saveMissing: true,
    missingKeyHandler: (_languages, _namespace, key) => {
      if (strict) throw new Error(`no catalogue has the key "${key}"`);
      warn(`no catalogue has the key "${key}"`);
    },
  });
  const supported = (lang: string) => (isLanguage(lang) ? lang : DEFAULT_LANGUAGE);

  return {
    t: (lang, key, vars) => instance.getFixedT(supported(lang))(key, vars ?? {}),
    has: (key) => instance.exists(key, { lng: DEFAULT_LANGUAGE }),
    translator: (lang) => instance.getFixedT(supported(lang)),
    direction,
  };
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Catalogue;

function merge(into: Catalogue, from: Catalogue): Catalogue {
  for (const [key, value] of Object.entries(from)) {
    const existing = into[key];
    into[key] = typeof value === 'object' && typeof existing === 'object' ? merge(existing, value) : value;
  }
  return into;
}

/** `locales/<lang>.json` for the public site, plus one file per feature in `locales/<lang>/`. */
export function loadCatalogue(lang: string): Catalogue {
  const catalogue = readJson(fromRoot('server/i18n/locales', `${lang}.json`));
  const dir = fromRoot('server/i18n/locales', lang);
  if (!existsSync(dir)) return catalogue;
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json')).sort()) merge(catalogue, readJson(path.join(dir, file)));
  return catalogue;
}
