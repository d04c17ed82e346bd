import { z } from 'zod';
import { isCountryCode } from '../countries/countries.js';
import { isShareCode } from '../sharing/index.js';
import { normaliseEmail } from './email-normaliser.js';
import type { SignatureInput } from './signature-types.js';
import { normaliseComment, normaliseName, normalisePostcode } from './text-normaliser.js';

/** Field error codes; the web layer turns them into sentences through the catalogue (errors.field.*). */
export type FieldErrors = Record<string, string>;

const checkbox = z.union([z.boolean(), z.enum(['on', 'true', '1', 'yes', 'false', '0', 'no', ''])]).optional();
// Generous raw limits: the normalisers apply the real ones; these only stop absurd payloads early.
const text = (max: number) => z.string().max(max * 4);

const shape = z.object({
  firstName: text(100),
  lastName: text(100),
  email: text(254),
  country: text(2),
  postcode: text(16).optional(),
  comment: text(500).optional(),
  updates: checkbox,
  hideName: checkbox,
  ref: z.string().max(40).optional(),
  /** The site that sent the signer to the petition page (a host name), carried by the form for the dashboard. */
  referrer: z.string().max(253).optional(),
  /** A signer's personal share code, when the person came through their link (sharing/share-codes.ts). */
  via: z.string().max(40).optional(),
});

export const SIGNATURE_FIELDS = Object.keys(shape.shape) as (keyof z.infer<typeof shape>)[];

const truthy = (v: boolean | string | undefined) => v === true || v === 'on' || v === 'true' || v === '1' || v === 'yes';

export const HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?)+$/;

export type ParseResult = { ok: true; value: SignatureInput } | { ok: false; fields: FieldErrors };

/** The one validation of a signature, for the JSON API and the HTML form alike. */
export function parseSignatureInput(body: unknown, { strict }: { strict: boolean }): ParseResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return { ok: false, fields: { body: 'type' } };
  // A Map, not an object literal: assigning to fields['__proto__'] would silently drop that field's error.
  const fields = new Map<string, string>();
  const report = (field: string, code: string) => {
    if (!fields.has(field)) fields.set(field, code);
  };
  if (strict) {
    for (const key of Object.keys(body)) if (!(SIGNATURE_FIELDS as string[]).includes(key)) report(key, 'unknown_field');
  }
  // Type errors first (an object where a string belongs, such as {"$gt":""}); every field is reported, not only the first.
  const given = body as Record<string, unknown>;
  const parsed = shape.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = String(issue.path[0] ?? 'body');
      if (given[field] === undefined) report(field, 'required');
      else if (issue.code === 'too_big') report(field, 'too_long');
      else if (field === 'updates' || field === 'hideName') report(field, 'boolean');
      else report(field, 'type');
    }
  }
  const str = (field: string) => (typeof given[field] === 'string' && !fields.has(field) ? given[field] : '');
  const raw = {
    firstName: str('firstName'),
    lastName: str('lastName'),
    email: str('email'),
    country: str('country'),
    postcode: str('postcode'),
    comment: str('comment'),
    ref: str('ref'),
    referrer: str('referrer'),
    via: str('via'),
    updates: parsed.data?.updates,
    hideName: parsed.data?.hideName,
  };

  const firstName = normaliseName(raw.firstName);
  const lastName = normaliseName(raw.lastName);
  const email = raw.email.trim() ? normaliseEmail(raw.email) : null;
  const country = raw.country.trim().toUpperCase();
  const postcode = normalisePostcode(raw.postcode);
  const comment = normaliseComment(raw.comment);
  const ref = raw.ref.trim();
  const referrer = raw.referrer.trim().toLowerCase();
  const via = raw.via.trim();

  if (!firstName.ok) report('firstName', firstName.reason);
  if (!lastName.ok) report('lastName', lastName.reason);
  if (!email) report('email', 'required');
  else if (!email.ok) report('email', email.reason === 'too_long' ? 'too_long' : 'email_invalid');
  if (!country) report('country', 'required');
  else if (!isCountryCode(country)) report('country', 'country_unknown');
  if (!postcode.ok) report('postcode', postcode.reason);
  if (!comment.ok) report('comment', comment.reason);
  if (ref && !/^[A-Za-z0-9_-]{1,40}$/.test(ref)) report('ref', 'ref_invalid');
  if (referrer && !HOST.test(referrer)) report('referrer', 'referrer_invalid');
  if (via && !isShareCode(via)) report('via', 'via_invalid');

  if (fields.size > 0 || !firstName.ok || !lastName.ok || !email?.ok || !postcode.ok || !comment.ok) {
    return { ok: false, fields: Object.fromEntries(fields) };
  }
  return {
    ok: true,
    value: {
      firstName: firstName.value,
      lastName: lastName.value,
      email: email.address,
      canonicalEmail: email.canonical,
      emailDomain: email.domain,
      country,
      postcode: postcode.value,
      comment: comment.value,
      updates: truthy(raw.updates),
      hideName: truthy(raw.hideName),
      ref: ref || null,
      referrer: referrer || null,
      via: via || null,
    },
  };
}
