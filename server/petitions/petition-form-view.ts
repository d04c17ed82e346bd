import { DEFAULT_LANGUAGE, LANGUAGES, isLanguage, languageInfo } from '../i18n/languages.js';
import { TEXT_FIELDS, translationField } from './petition-input.js';

// How each text is typed: the same limits the validation applies (petition-input.ts).
const INPUTS = {
  title: { multiline: false, maxlength: 200, rows: 0 },
  summary: { multiline: true, maxlength: 500, rows: 3 },
  body: { multiline: true, maxlength: 50_000, rows: 12 },
  target: { multiline: false, maxlength: 200, rows: 0 },
} as const;

/**
 * The form's language parts, from what was typed or stored: the main language's select, and a section for every
 * other language (and for the main one too while it still holds text, so that nothing typed disappears).
 */
export function languageSections(values: Record<string, string | undefined>, errors: Record<string, string>) {
  const main = isLanguage(values.language) ? values.language : DEFAULT_LANGUAGE;
  return {
    mainLanguage: { code: main, dir: languageInfo(main).dir },
    languageOptions: LANGUAGES.map((l) => ({ code: l.code, name: l.name, dir: l.dir, selected: l.code === main })),
    translations: LANGUAGES.filter((l) => l.code !== main || TEXT_FIELDS.some((f) => values[translationField(f, l.code)])).map((l) => {
      const fields = TEXT_FIELDS.map((field) => {
        const name = translationField(field, l.code);
        return { field, name, value: values[name] ?? '', error: errors[name], ...INPUTS[field] };
      });
      const filled = fields.filter((f) => f.value.trim() !== '').length;
      const state = filled === 0 ? 'empty' : filled === fields.length ? 'complete' : 'incomplete';
      // Folded once complete (its state says so); open while it needs attention.
      return { code: l.code, name: l.name, dir: l.dir, fields, state, open: state === 'incomplete' || fields.some((f) => f.error) };
    }),
  };
}
