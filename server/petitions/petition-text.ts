import { LANGUAGE_CODES, type Language } from '../i18n/languages.js';
import type { Petition, PetitionText } from './petition-types.js';

export interface LocalisedText extends PetitionText {
  /** The language the text is in: the one asked for when the petition has it, else the petition's main language. */
  language: Language;
  /** True when the petition lacks the language asked for and the main language stands in. */
  fallback: boolean;
}

/** A petition's text in `lang` when the organisers wrote it, else in its main language (and says so). */
export function textIn(petition: Pick<Petition, keyof PetitionText | 'language' | 'translations'>, lang: string): LocalisedText {
  const main = petition.language ?? 'en';
  if (lang === main) return { title: petition.title, summary: petition.summary, body: petition.body, target: petition.target, language: main, fallback: false };
  const translated = petition.translations?.[lang as Language];
  if (translated) return { ...translated, language: lang as Language, fallback: false };
  return { title: petition.title, summary: petition.summary, body: petition.body, target: petition.target, language: main, fallback: true };
}

/** The languages a petition has a text in: its main language first, then its translations in the list's order. */
export function languagesOf(petition: Pick<Petition, 'language' | 'translations'>): Language[] {
  const main = petition.language ?? 'en';
  return [main, ...LANGUAGE_CODES.filter((code) => code !== main && petition.translations?.[code])];
}

/** What a page that names a petition needs of it (its link and title), in `lang` when the petition has it. */
export const headingIn = (petition: Pick<Petition, 'slug' | keyof PetitionText | 'language' | 'translations'>, lang: string): { slug: string; title: string } => ({
  slug: petition.slug,
  title: textIn(petition, lang).title,
});
