import { z } from 'zod';
import { DATE, DATETIME_LOCAL, formValues, utcValue } from '../web/form-input.js';
import { isCountryCode } from '../countries/countries.js';
import { ValidationError } from '../shared/errors.js';
import { multiLine, singleLine } from '../shared/plain-text.js';
import { LETTER_LANGUAGES } from './target-types.js';

// Error messages here are field codes; the catalogue turns them into sentences (errors.field.*).
const optional = { optional: true };

const utc = utcValue;
const day = utc(DATE, 'date_invalid', 'T00:00:00Z');
const required = <T>(schema: z.ZodType<T | null>) => schema.refine((v) => v !== null, 'required').transform((v) => v!);

const country = z
  .string()
  .trim()
  .toUpperCase()
  .min(1, 'required')
  .refine(isCountryCode, 'country_unknown');

export const TARGET_FIELDS = ['name', 'recipientName', 'recipientTitle', 'city', 'country', 'address', 'language', 'plannedAt', 'notes'] as const;
const targetShape = z.object({
  name: singleLine(200),
  recipientName: singleLine(200, optional),
  recipientTitle: singleLine(200),
  city: singleLine(100),
  country,
  // A textarea: address lines.
  address: multiLine(500, optional),
  language: z.enum(LETTER_LANGUAGES, { error: 'language_invalid' }),
  plannedAt: day,
  notes: multiLine(2000, optional),
});
export type TargetFields = z.infer<typeof targetShape>;

export const DELIVERY_FIELDS = ['deliveredAt', 'deliveredBy', 'notes', 'packetId', 'photoPublic'] as const;
const deliveryShape = z.object({
  deliveredAt: required(day),
  deliveredBy: singleLine(200),
  notes: multiLine(2000, optional),
  packetId: z.string().trim().min(1, 'packet_required').max(100, 'packet_unknown'),
  photoPublic: z.enum(['', 'on'], { error: 'boolean' }).transform((v) => v === 'on'),
});
export type DeliveryFields = z.infer<typeof deliveryShape>;

export const PACKET_FIELDS = ['cutoff', 'countries', 'names'] as const;
// Only the form's reading: the packet service itself checks the cutoff, the country codes and the name policy.
const packetShape = z.object({
  cutoff: utc(DATETIME_LOCAL, 'datetime_invalid', 'Z'),
  // A comma (or space) separated list of ISO codes; empty means every country.
  countries: z.string().transform((v) => v.split(/[\s,;]+/).filter(Boolean)),
  names: z.string(),
});
export type PacketFields = z.infer<typeof packetShape>;

export { formValues };

function parse<T, F extends string>(schema: z.ZodType<T>, fields: readonly F[], body: unknown): T {
  const parsed = schema.safeParse(formValues(body, fields));
  if (parsed.success) return parsed.data;
  const problems: Record<string, string> = {};
  for (const issue of parsed.error.issues) problems[String(issue.path[0] ?? 'form')] ??= issue.message;
  throw new ValidationError(problems);
}

/** The one validation of each form; a refusal is a ValidationError naming every bad field. */
export const parseTarget = (body: unknown): TargetFields => parse(targetShape, TARGET_FIELDS, body);
export const parseDelivery = (body: unknown): DeliveryFields => parse(deliveryShape, DELIVERY_FIELDS, body);
export const parsePacketRequest = (body: unknown): PacketFields => parse(packetShape, PACKET_FIELDS, body);

/** A stored day as a date input shows it. */
export const toDateInput = (at: Date | null): string => (at ? at.toISOString().slice(0, 10) : '');
