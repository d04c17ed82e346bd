import { z } from 'zod';
import type { Petition } from './petition-types.js';

/** What an organiser fills in; the rest (status, timestamps) the service decides. */
export type PetitionFields = Pick<Petition, 'slug' | 'title' | 'summary' | 'body' | 'target' | 'goal' | 'verification' | 'opensAt' | 'closesAt'>;

export const PETITION_FIELDS = ['slug', 'title', 'summary', 'body', 'target', 'goal', 'verification', 'opensAt', 'closesAt'] as const;

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,78}[a-z0-9])$/;
// Words that would shadow a route (/admin/petitions/new, /api/...).
const RESERVED_SLUGS = new Set(['new', 'api']);
const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$/;

// Error messages here are field codes; the catalogue turns them into sentences (errors.field.*).
const text = (max: number) => z.string().trim().min(1, 'required').max(max, 'too_long');

/** A datetime-local value, read as UTC (the form says so): the server's time zone must not shift dates. */
const moment = z
  .string()
  .trim()
  .transform((v, ctx) => {
    if (v === '') return null;
    const at = new Date(`${v}Z`);
    // The round trip rejects dates that do not exist (30 February) instead of rolling them over.
    if (!DATETIME_LOCAL.test(v) || Number.isNaN(at.getTime()) || !at.toISOString().startsWith(v)) {
      ctx.addIssue({ code: 'custom', message: 'datetime_invalid' });
      return z.NEVER;
    }
    return at;
  });

const shape = z
  .object({
    slug: z
      .string()
      .trim()
      .min(1, 'required')
      .regex(SLUG, 'slug_invalid')
      .refine((s) => !RESERVED_SLUGS.has(s), 'slug_reserved'),
    title: text(200),
    summary: text(500),
    body: text(50_000),
    target: text(200),
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
  })
  .refine((p) => !p.opensAt || !p.closesAt || p.closesAt > p.opensAt, {
    message: 'closes_before_opens',
    path: ['closesAt'],
    // Also when other fields failed: every problem is reported at once.
    when: ({ value }) => {
      const { opensAt, closesAt } = value as Record<string, unknown>;
      return opensAt instanceof Date && closesAt instanceof Date;
    },
  });

export type ParsedPetition = { ok: true; value: PetitionFields } | { ok: false; fields: Record<string, string> };

/** The form's strings exactly as typed, for re-showing them; anything that is not a string counts as empty. */
export function formValues(body: unknown): Record<(typeof PETITION_FIELDS)[number], string> {
  const given = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(PETITION_FIELDS.map((f) => [f, typeof given[f] === 'string' ? given[f] : ''])) as Record<(typeof PETITION_FIELDS)[number], string>;
}

/** The one validation of a petition form, for creating and editing alike. */
export function parsePetitionInput(body: unknown): ParsedPetition {
  const parsed = shape.safeParse(formValues(body));
  if (parsed.success) return { ok: true, value: parsed.data };
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path[0] ?? 'form');
    fields[field] ??= issue.message;
  }
  return { ok: false, fields };
}

/** A stored moment as a datetime-local value in UTC, the way the form shows it. */
export const toDatetimeLocal = (at: Date | null): string => (at ? at.toISOString().slice(0, 16) : '');
