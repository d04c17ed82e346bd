import { AppError } from '../shared/errors.js';
import { DEFAULT_LANGUAGE, LANGUAGE_CODES, isLanguage, type Language } from './languages.js';

/**
 * A `lang` option (`?lang=` on an export, `--lang` on the command line): absent, `fallback`; a code the
 * site speaks, that language; anything else, a 400 naming the option and its choices.
 */
export function languageOption(value: unknown, fallback: string): Language {
  if (value === undefined || value === '') return isLanguage(fallback) ? fallback : DEFAULT_LANGUAGE;
  if (isLanguage(value)) return value;
  const choices = LANGUAGE_CODES.join(', ');
  throw new AppError(400, 'lang_invalid', `lang must be one of ${choices}.`, undefined, { vars: { choices } });
}
