import { z } from 'zod';
import { AppError } from '../shared/errors.js';

export const DATE = /^\d{4}-\d{2}-\d{2}$/;
export const DATETIME_LOCAL = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2})?$/;

/**
 * A form's date or datetime-local value read as UTC (the forms say so): the server's time zone must
 * not shift dates. The round trip refuses 30 February instead of rolling it over. '' is null.
 */
export const utcValue = (pattern: RegExp, code: string, suffix: string) =>
  z
    .string()
    .trim()
    .transform((v, ctx) => {
      if (v === '') return null;
      const at = new Date(`${v}${suffix}`);
      if (!pattern.test(v) || Number.isNaN(at.getTime()) || !at.toISOString().startsWith(v)) {
        ctx.addIssue({ code: 'custom', message: code });
        return z.NEVER;
      }
      return at;
    });

/** The form's strings exactly as typed, for re-showing them; anything that is not a string counts as empty. */
export function formValues<F extends string>(body: unknown, fields: readonly F[]): Record<F, string> {
  const given = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  return Object.fromEntries(fields.map((f) => [f, typeof given[f] === 'string' ? given[f] : ''])) as Record<F, string>;
}

/** A refusal naming fields shows the form again, as typed; anything else goes on to the error page. */
export const fieldErrors = (error: unknown): AppError & { fields: Record<string, string> } => {
  if (error instanceof AppError && error.fields) return error as AppError & { fields: Record<string, string> };
  throw error;
};
