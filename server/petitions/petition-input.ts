import { z } from 'zod';
import { multiLine, singleLine } from '../shared/plain-text.js';
import { DATETIME_LOCAL, formValues, utcValue } from '../web/form-input.js';
import type { Petition } from './petition-types.js';

/** What an organiser fills in; the rest (status, timestamps) the service decides. */
export type PetitionFields = Pick<Petition, 'slug' | 'title' | 'summary' | 'body' | 'target' | 'goal' | 'verification' | 'opensAt' | 'closesAt'>;

export const PETITION_FIELDS = ['slug', 'title', 'summary', 'body', 'target', 'goal', 'verification', 'opensAt', 'closesAt'] as const;

export const SLUG = /^[a-z0-9](?:[a-z0-9-]{1,78}[a-z0-9])$/;
// Words that would shadow a route (/admin/petitions/new, /api/...).
const RESERVED_SLUGS = new Set(['new', 'api']);

// Error messages here are field codes; the catalogue turns them into sentences (errors.field.*).
const moment = utcValue(DATETIME_LOCAL, 'datetime_invalid', 'Z');

const shape = z
  .object({
    slug: z
      .string()
      .trim()
      .min(1, 'required')
      .regex(SLUG, 'slug_invalid')
      .refine((s) => !RESERVED_SLUGS.has(s), 'slug_reserved'),
    title: singleLine(200),
    // A textarea: a summary may run to a few lines.
    summary: multiLine(500),
    body: multiLine(50_000),
    target: singleLine(200),
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

export const petitionFormValues = (body: unknown) => formValues(body, PETITION_FIELDS);

/** The one validation of a petition form, for creating and editing alike. */
export function parsePetitionInput(body: unknown): ParsedPetition {
  const parsed = shape.safeParse(petitionFormValues(body));
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
