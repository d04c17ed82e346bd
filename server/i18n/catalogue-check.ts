import { DEFAULT_LANGUAGE, type Language } from './languages.js';

export type Catalogue = { [key: string]: string | Catalogue };

const PLURAL_SUFFIX = /_(zero|one|two|few|many|other)$/;
const placeholders = (text: string) => [...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]!).sort();

/** Every leaf of a catalogue as `a.b.c` → text; `_meta` (how the file was written and reviewed) is not a string to show. */
export function flatten(catalogue: Catalogue, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(catalogue)) {
    if (prefix === '' && key === '_meta') continue;
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(full, value);
    else for (const [k, v] of flatten(value, full)) out.set(k, v);
  }
  return out;
}

/** A plural key's forms grouped under its stem: `home.signatures` → {one, other}. Plain keys are their own stem. */
function stems(flat: Map<string, string>): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  for (const [key, text] of flat) {
    const suffix = PLURAL_SUFFIX.exec(key)?.[1];
    const stem = suffix ? key.slice(0, -suffix.length - 1) : key;
    if (!out.has(stem)) out.set(stem, new Map());
    out.get(stem)!.set(suffix ?? '', text);
  }
  return out;
}

/**
 * What keeps a catalogue from being a full translation of English's: a missing or extra key, a plural key without
 * exactly its language's CLDR plural forms, or a sentence whose placeholders differ from English's. The zero, one
 * and two forms may leave out the number ("every hour"; Arabic's dual "two signatures"): the form itself says it.
 */
export function catalogueProblems(catalogues: Record<Language, Catalogue>): string[] {
  const problems: string[] = [];
  const reference = stems(flatten(catalogues[DEFAULT_LANGUAGE]));
  for (const [lang, catalogue] of Object.entries(catalogues) as [Language, Catalogue][]) {
    if (lang === DEFAULT_LANGUAGE) continue;
    const own = stems(flatten(catalogue));
    const forms = new Intl.PluralRules(lang).resolvedOptions().pluralCategories.slice().sort();
    for (const [stem, english] of reference) {
      const theirs = own.get(stem);
      if (!theirs) {
        problems.push(`${lang}: missing ${stem}`);
        continue;
      }
      const plural = english.has('other') && !english.has('');
      const expected = plural ? forms : [''];
      const got = [...theirs.keys()].sort();
      if (got.join() !== expected.join()) problems.push(`${lang}: ${stem} has forms [${got.join(', ')}], expected [${expected.join(', ')}]`);
      const wanted = placeholders(english.get(plural ? 'other' : '')!);
      for (const [form, text] of theirs) {
        const have = placeholders(text);
        // A salutation may leave the name out too: French letters open «Madame, Monsieur,» whoever they address.
        const mayOmit = form === 'one' || form === 'two' || form === 'zero' || stem.endsWith('.dearNamed');
        const fits = mayOmit ? have.every((p) => wanted.includes(p)) : have.join() === wanted.join();
        if (!fits) problems.push(`${lang}: ${stem}${form ? `_${form}` : ''} has placeholders [${have.join(', ')}], English has [${wanted.join(', ')}]`);
      }
    }
    for (const stem of own.keys()) if (!reference.has(stem)) problems.push(`${lang}: ${stem} is not in English`);
  }
  return problems;
}
