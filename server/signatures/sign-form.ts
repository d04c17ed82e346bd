import { AppError } from '../shared/errors.js';
import type { FormGuard } from '../web/form-guard.js';
import { parseSignatureInput, SIGNATURE_FIELDS } from './signature-input.js';
import type { SignatureService, SignOutcome } from './signature-service.js';

export type FormSigning =
  | { outcome: 'refused'; values: Record<string, string | undefined>; errors?: Record<string, string>; notice?: string }
  | ({ outcome: 'signed' } & SignOutcome);

/**
 * The sign path of an HTML form, the petition page's and the embed widget's alike: the bot checks, the one validation,
 * then the signature service. A refusal comes back with what was typed, for the form to show again with its errors.
 */
export async function signFromForm(
  body: unknown,
  slug: string,
  { guard, signatures }: { guard: FormGuard; signatures: Pick<SignatureService, 'sign'> },
  meta: { ip: string | undefined; lang: string },
): Promise<FormSigning> {
  const form = (body ?? {}) as Record<string, unknown>;
  const values = Object.fromEntries(SIGNATURE_FIELDS.map((f) => [f, typeof form[f] === 'string' ? form[f] : undefined]));
  const check = guard.check(form);
  if (check === 'honeypot') throw new AppError(422, 'automated', 'Your submission looked automated. Please try again.');
  if (check === 'too_fast') return { outcome: 'refused', values, notice: 'sign.tooFast' };
  const input = parseSignatureInput(values, { strict: false });
  if (!input.ok) return { outcome: 'refused', values, errors: input.fields };
  return { outcome: 'signed', ...(await signatures.sign(slug, input.value, meta)) };
}
