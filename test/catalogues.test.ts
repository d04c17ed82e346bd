import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { catalogueProblems, flatten, type Catalogue } from '../server/i18n/catalogue-check.js';
import { loadCatalogue } from '../server/i18n/i18n.js';
import { LANGUAGES, type Language } from '../server/i18n/languages.js';
import { fromRoot } from '../server/shared/project-root.js';

const loaded = () => Object.fromEntries(LANGUAGES.map((l) => [l.code, loadCatalogue(l.code)])) as Record<Language, Catalogue>;
const english = flatten(loadCatalogue('en'));
/** A key the code asks for exists when English has it, or (for a plural) its `_other` form. */
const inEnglish = (key: string) => english.has(key) || english.has(`${key}_other`);

function filesUnder(dir: string, ending: string): string[] {
  return readdirSync(fromRoot(dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(ending) && !e.name.endsWith('.test.ts'))
    .map((e) => path.relative(fromRoot(), path.join(e.parentPath, e.name)))
    .sort();
}

const sources = () => [...filesUnder('views', '.hbs'), ...filesUnder('server', '.hbs'), ...filesUnder('server', '.ts')].map((file) => ({ file, text: readFileSync(fromRoot(file), 'utf8') }));
const lineOf = (text: string, index: number) => text.slice(0, index).split('\n').length;

/** `roles.${role}` → `roles.…`; a template with no fixed start is shown whole. */
const builtFrom = (template: string) => (template.startsWith('${') ? `\`${template}\`` : `${template.slice(0, template.indexOf('${'))}…`);

interface Use {
  key: string;
  at: string;
}

/**
 * Every translation key the views and the server name literally, and the prefixes of the ones they build
 * (`{{t (concat "roles." role)}}`, `` t(`errors.${code}`) ``, `{{t bodyKey}}`), which a static scan cannot check.
 */
function keysInSource(): { literal: Use[]; built: Use[] } {
  const literal: Use[] = [];
  const built: Use[] = [];
  const patterns: [RegExp, (m: RegExpExecArray) => { key: string; literal: boolean }][] = [
    // Handlebars: {{t "a.b"}} and (t "a.b")
    [/[{(]t\s+["']([^"']+)["']/g, (m) => ({ key: m[1]!, literal: true })],
    [/[{(]t\s+\(concat\s+["']([^"']*)["']/g, (m) => ({ key: `${m[1]}…`, literal: false })],
    [/\{\{t\s+([A-Za-z_][\w.]*)[\s}]/g, (m) => ({ key: `(the value of ${m[1]})`, literal: false })],
    // TypeScript: t('a.b'), res.locals.t("a.b"), i18n.t(lang, 'a.b'), t(res)('a.b')
    [/\bt(?:\(\w+\))?\(\s*(?:[\w.]+\s*,\s*)?(['"])([\w.-]+)\1/g, (m) => ({ key: m[2]!, literal: true })],
    [/\bt(?:\(\w+\))?\(\s*(?:[\w.]+\s*,\s*)?`([^`]*)`/g, (m) => (m[1]!.includes('${') ? { key: builtFrom(m[1]!), literal: false } : { key: m[1]!, literal: true })],
  ];
  for (const { file, text } of sources()) {
    for (const [pattern, read] of patterns) {
      for (const m of text.matchAll(pattern)) {
        const { key, literal: isLiteral } = read(m);
        (isLiteral ? literal : built).push({ key, at: `${file}:${lineOf(text, m.index)}` });
      }
    }
  }
  return { literal, built };
}

const camel = (code: string) => code.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/**
 * The sentences the code's error codes need: `errors.<code>` for each AppError code a page or the API shows,
 * `errors.field.<code>` for each field code thrown with it, `paper.errors.<key>` for each refused import.
 */
function errorKeysInSource(): Use[] {
  const uses: Use[] = [];
  const patterns: [RegExp, (m: RegExpExecArray) => string][] = [
    [/new (?:AppError|RateLimitedError)\(\s*[\w.[\]]+\s*,\s*'([a-z_]+)'/g, (m) => `errors.${camel(m[1]!)}`],
    [/\brefused\(\s*\d+\s*,\s*'([a-z_]+)'/g, (m) => `errors.${camel(m[1]!)}`],
    [/new ImportRefused\(\s*\d+\s*,\s*'(\w+)'/g, (m) => `paper.errors.${m[1]}`],
  ];
  for (const { file, text } of sources().filter((s) => s.file.endsWith('.ts'))) {
    for (const [pattern, key] of patterns) for (const m of text.matchAll(pattern)) uses.push({ key: key(m), at: `${file}:${lineOf(text, m.index)}` });
    // Field codes: ValidationError({ field: 'code' }) and an AppError's fields argument.
    for (const m of text.matchAll(/new (?:ValidationError|AppError)\([^;]*?\{\s*(\w+):\s*'([a-z_]+)'\s*\}/g)) {
      uses.push({ key: `errors.field.${m[2]}`, at: `${file}:${lineOf(text, m.index)}` });
    }
  }
  return uses;
}

describe('the catalogues', () => {
  test('when every catalogue is loaded, then each has English’s keys, its own plural forms and English’s placeholders', () => {
    assert.deepEqual(catalogueProblems(loaded()), []);
  });

  test('when a catalogue lacks a key, an Arabic plural form or a placeholder, then the check names each problem', () => {
    const broken = structuredClone(loaded());
    const fr = broken.fr.errors as Catalogue;
    delete fr.notFound;
    const arHome = broken.ar.home as Catalogue;
    delete arHome.signatures_few;
    const esCounts = broken.es.counts as Catalogue;
    esCounts.published = (esCounts.published as string).replace('{{at}}', '{{when}}');

    const problems = catalogueProblems(broken);

    assert.deepEqual(problems.sort(), [
      'ar: home.signatures has forms [many, one, other, two, zero], expected [few, many, one, other, two, zero]',
      'es: counts.published has placeholders [every, when], English has [at, every]',
      'fr: missing errors.notFound',
    ]);
  });

  test('when the views and the server name a key literally, then English has it', () => {
    const { literal, built } = keysInSource();
    assert.ok(literal.length > 300, `the scan found only ${literal.length} keys: its patterns no longer match the code`);

    const missing = literal.filter((use) => !inEnglish(use.key)).map((use) => `${use.key} (${use.at})`);

    assert.deepEqual(missing, []);
    const prefixes = [...new Set(built.map((use) => use.key))].sort();
    console.log(`keys built at run time, not checked by this scan (${prefixes.length}):\n  ${prefixes.join('\n  ')}`);
  });

  test('when the server throws an error code, a field code or a refused import, then English has its sentence', () => {
    const uses = errorKeysInSource();
    assert.ok(uses.length > 40, `the scan found only ${uses.length} error codes: its patterns no longer match the code`);

    const missing = uses.filter((use) => !english.has(use.key)).map((use) => `${use.key} (${use.at})`);

    assert.deepEqual(missing, []);
  });

  test('when a catalogue file is read, then it says how it was written and whether it was reviewed', () => {
    const files = [...filesUnder('server/i18n/locales', '.json')];
    assert.ok(files.length >= LANGUAGES.length, 'every language has a catalogue file');

    const without = files.filter((file) => {
      const meta = (JSON.parse(readFileSync(fromRoot(file), 'utf8')) as { _meta?: { written?: unknown; reviewed?: unknown } })._meta;
      return !(typeof meta?.written === 'string' && meta.written.length > 0 && typeof meta.reviewed === 'string' && meta.reviewed.length > 0);
    });

    assert.deepEqual(without, []);
  });
});
