import { z } from 'zod';
import { DEFAULT_LANGUAGE, LANGUAGE_CODES, type Language } from '../i18n/languages.js';
import { multiLine, singleLine } from '../shared/plain-text.js';
import { DATETIME_LOCAL, formValues, utcValue } from '../web/form-input.js';
import { DEFAULT_RETENTION, type Petition, type PetitionText } from './petition-types.js';

/** What an organiser fills in; the rest (status, timestamps) the service decides. */
export type PetitionFields = Pick<
  Petition,
  'slug' | 'title' | 'summary' | 'body' | 'target' | 'language' | 'translations' | 'goal' | 'verification' | 'opensAt' | 'closesAt' | 'retention'
>;

export const PETITION_FIELDS = ['slug', 'title', 'summary', 'body', 'target', 'language', 'goal', 'verification', 'opensAt', 'closesAt'] as const;

/** The retention rule's two form fields; a form without them (an older client) keeps the default rule. */
export const RETENTION_FIELDS = ['retentionAfter', 'retentionDays'] as const;
/** Ten years: a longer rule is no rule. */
export const MAX_RETENTION_DAYS = 3650;

/** The texts written per language, in the order the form shows them. */
export const TEXT_FIELDS = ['title', 'summary', 'body', 'target'] as const satisfies readonly (keyof PetitionText)[];
type TextField = (typeof TEXT_FIELDS)[number];

/** The form field of a translation: `title-es`, `body-zh-Hant` ... (the field's name comes first, so a dash in the code is no ambiguity). */
export const translationField = (field: TextField, lang: Language) => `${field}-${lang}`;
const TRANSLATION_FIELDS = LANGUAGE_CODES.flatMap((lang) => TEXT_FIELDS.map((field) => translationField(field, lang)));

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,78}[a-z0-9])$/;
// Words that would shadow a route (/admin/petitions/new, /api/...).
const RESERVED_SLUGS = new Set(['new', 'api']);

// Error messages here are field codes; the catalogue turns them into sentences (errors.field.*).
const moment = utcValue(DATETIME_LOCAL, 'datetime_invalid', 'Z');

// The same limits for every language's text; a translation's fields may be empty (all four, checked below).
const text = (optional: boolean) => ({
  title: singleLine(200, { optional }),
  // A textarea: a summary may run to a few lines.
  summary: multiLine(500, { optional }),
  body: multiLine(50_000, { optional }),
  target: singleLine(200, { optional }),
});
const optionalText = text(true);

const shape = z
  .object({
    slug: z
      .string()
      .trim()
      .min(1, 'required')
      .regex(SLUG, 'slug_invalid')
      .refine((s) => !RESERVED_SLUGS.has(s), 'slug_reserved'),
    ...text(false),
    language: z.enum(LANGUAGE_CODES, { error: 'language_invalid' }),
    ...Object.fromEntries(TRANSLATION_FIELDS.map((name) => [name, optionalText[name.slice(0, name.indexOf('-')) as TextField]])),
    goal: z
      .string()
      .trim()
      .min(1, 'required')
      .regex(/^\d{1,10}$/, 'goal_invalid')
      .transform(Number)
      .refine((n) => n >= 1 && n <= 1_000_000_000, 'goal_invalid'),
    verification: z.enum(['email', 'none'], { error: 'verification_invalid' }),
    opensAt: moment,
    closesAt: moment,
    retentionAfter: z.enum(['closed', 'delivered'], { error: 'retention_after_invalid' }),
    retentionDays: z
      .string()
      .trim()
      .regex(/^\d{1,4}$/, 'retention_days_invalid')
      .transform(Number)
      .refine((n) => n >= 1 && n <= MAX_RETENTION_DAYS, 'retention_days_invalid'),
  })
  .refine((p) => !p.opensAt || !p.closesAt || p.closesAt > p.opensAt, {
    message: 'closes_before_opens',
    path: ['closesAt'],
    // Also when other fields failed: every problem is reported at once.
    when: ({ value }) => {
      const { opensAt, closesAt } = value as Record<string, unknown>;
      return opensAt instanceof Date && closesAt instanceof Date;
    },
  })
  .superRefine((p, ctx) => {
    const typed = p as unknown as Record<string, unknown>;
    for (const lang of LANGUAGE_CODES) {
      const filled = TEXT_FIELDS.filter((field) => isFilled(typed[translationField(field, lang)]));
      if (filled.length === 0) continue;
      // The main language's text is the top-level fields; a second one would say two things at once.
      if (lang === typed.language) ctx.addIssue({ code: 'custom', message: 'language_has_translation', path: ['language'] });
      // A translation is all four texts or none: half a petition would mix two languages on one page.
      else if (filled.length < TEXT_FIELDS.length) {
        for (const field of TEXT_FIELDS) {
          if (!filled.includes(field)) ctx.addIssue({ code: 'custom', message: 'translation_incomplete', path: [translationField(field, lang)] });
        }
      }
    }
  }, { when: () => true });

const isFilled = (value: unknown) => typeof value === 'string' && value.trim() !== '';

export type ParsedPetition = { ok: true; value: PetitionFields } | { ok: false; fields: Record<string, string> };

/** The form's strings as typed, translations included, for re-showing them. */
export const petitionFormValues = (body: unknown) => formValues(body, [...PETITION_FIELDS, ...RETENTION_FIELDS, ...TRANSLATION_FIELDS]);

/** A stored petition's translations as the form's fields (`title-es` ...); languages it lacks are empty. */
export function translationFormValues(translations: Petition['translations']): Record<string, string> {
  return Object.fromEntries(LANGUAGE_CODES.flatMap((lang) => TEXT_FIELDS.map((field) => [translationField(field, lang), translations[lang]?.[field] ?? ''])));
}

/**
 * The one validation of a petition form, for creating and editing alike. A form without a main language
 * keeps `language` (the stored one when editing); every other language is complete, or empty and dropped.
 */
export function parsePetitionInput(body: unknown, { language = DEFAULT_LANGUAGE }: { language?: Language } = {}): ParsedPetition {
  const values: Record<string, string> = petitionFormValues(body);
  values.language ||= language;
  values.retentionAfter ||= DEFAULT_RETENTION.after;
  values.retentionDays ||= String(DEFAULT_RETENTION.days);
  const parsed = shape.safeParse(values);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'form');
      fields[field] ??= issue.message;
    }
    return { ok: false, fields };
  }
  const data = parsed.data as typeof parsed.data & Record<string, string>;
  const textOf = (lang: Language): PetitionText => ({
    title: data[translationField('title', lang)]!,
    summary: data[translationField('summary', lang)]!,
    body: data[translationField('body', lang)]!,
    target: data[translationField('target', lang)]!,
  });
  const translations: Petition['translations'] = {};
  for (const lang of LANGUAGE_CODES) {
    if (lang === data.language || !isFilled(data[translationField('title', lang)])) continue;
    translations[lang] = textOf(lang);
  }
  const { slug, title, summary, body: text, target, language: main, goal, verification, opensAt, closesAt, retentionAfter, retentionDays } = data;
  const retention = { after: retentionAfter, days: retentionDays };
  return { ok: true, value: { slug, title, summary, body: text, target, language: main, translations, goal, verification, opensAt, closesAt, retention } };
}

/** A stored moment as a datetime-local value in UTC, the way the form shows it. */
export const toDatetimeLocal = (at: Date | null): string => (at ? at.toISOString().slice(0, 16) : '');

/** How many sites may frame one petition's sign widget: each is a word in a header sent with every embed view. */
export const MAX_EMBED_ORIGINS = 20;

export type ParsedEmbedOrigins = { ok: true; value: string[] } | { ok: false; code: 'embed_origin_invalid' | 'embed_origins_over_limit'; entry: string };

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The sites allowed to frame a petition's widget, one per line: bare origins, `https://host[:port]` with no path, query
 * or credentials (a CSP `frame-ancestors` source). Plain http only for the loopback host, and only outside production,
 * for trying a partner page on one's own machine. Duplicates collapse; an empty list means any site.
 */
export function parseEmbedOrigins(text: unknown, { localHttp }: { localHttp: boolean }): ParsedEmbedOrigins {
  const entries = (typeof text === 'string' ? text : '').split(/[\r\n]+/).map((line) => line.trim()).filter(Boolean);
  const origins: string[] = [];
  for (const entry of entries) {
    let url: URL | null = null;
    try {
      url = new URL(entry);
    } catch {
      url = null;
    }
    const bare = url && url.username === '' && url.password === '' && url.pathname === '/' && url.search === '' && url.hash === '' && /^[a-z]+:\/\/[^/?#]+\/?$/i.test(entry);
    const scheme = url && (url.protocol === 'https:' || (url.protocol === 'http:' && localHttp && LOOPBACK.has(url.hostname)));
    if (!url || !bare || !scheme) return { ok: false, code: 'embed_origin_invalid', entry };
    if (!origins.includes(url.origin)) origins.push(url.origin);
  }
  if (origins.length > MAX_EMBED_ORIGINS) return { ok: false, code: 'embed_origins_over_limit', entry: origins[MAX_EMBED_ORIGINS]! };
  return { ok: true, value: origins };
}
