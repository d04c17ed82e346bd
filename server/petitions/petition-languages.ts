import { LANGUAGES, intlLocale, languageInfo, type Language } from '../i18n/languages.js';

const displayNames = new Map<string, Intl.DisplayNames>();

/** A language's name as a reader of `inLang` says it (CLDR, from the runtime's ICU): "anglais" on a French page. */
export function languageName(code: Language, inLang: string): string {
  let names = displayNames.get(inLang);
  if (!names) displayNames.set(inLang, (names = new Intl.DisplayNames([intlLocale(inLang)], { type: 'language', fallback: 'code' })));
  return names.of(code) ?? code;
}

/**
 * Which languages a petition is complete in (main first) and which it lacks, for the workspace. Languages
 * are named in their own script ("Español", "العربية") with their `dir`, as the language switcher does.
 */
export function languageCoverage(languages: readonly Language[]) {
  const named = (code: Language) => ({ code, name: languageInfo(code).name, dir: languageInfo(code).dir });
  return {
    complete: languages.map((code, index) => ({ ...named(code), main: index === 0 })),
    missing: LANGUAGES.filter((l) => !languages.includes(l.code)).map((l) => named(l.code)),
  };
}
