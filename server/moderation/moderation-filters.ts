import { domainToASCII } from 'node:url';
import { z } from 'zod';
import { isCountryCode } from '../countries/countries.js';
import type { DataProtector } from '../shared/data-protector.js';
import { EMAIL_RULES, normaliseEmail } from '../signatures/email-normaliser.js';
import { HOST } from '../signatures/signature-input.js';
import type { SignatureCriteria, SignerDetails } from '../signatures/index.js';

/** The conditions an organiser can search and invalidate by. Every value is as the organiser typed it, validated. */
export interface SignatureFilters {
  email?: string;
  domain?: string;
  country?: string;
  from?: string;
  to?: string;
  status?: 'pending' | 'confirmed' | 'invalidated';
  source?: 'online' | 'paper';
  ipHash?: string;
  name?: string;
}

export const FILTER_NAMES = ['email', 'domain', 'country', 'from', 'to', 'status', 'source', 'ipHash', 'name'] as const;

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const isDay = (v: string) => {
  const at = DAY.test(v) ? Date.parse(`${v}T00:00:00Z`) : NaN;
  return !Number.isNaN(at) && new Date(at).toISOString().startsWith(v);
};
const canonicalDomain = (v: string) => {
  const ascii = domainToASCII(v.trim().toLowerCase().replace(/^@/, ''));
  return EMAIL_RULES.domainAliases[ascii] ?? ascii;
};

// Each message is an error code, turned into a sentence by the catalogue (errors.field.<code>).
const schema = z
  .strictObject({
    email: z.string().refine((v) => normaliseEmail(v).ok, 'email_invalid'),
    domain: z.string().max(253, 'too_long').refine((v) => HOST.test(canonicalDomain(v)), 'domain_invalid'),
    country: z.string().refine((v) => isCountryCode(v.trim().toUpperCase()), 'country_unknown'),
    from: z.string().refine(isDay, 'date_invalid'),
    to: z.string().refine(isDay, 'date_invalid'),
    status: z.enum(['pending', 'confirmed', 'invalidated'], 'status_unknown'),
    source: z.enum(['online', 'paper'], 'source_unknown'),
    ipHash: z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'ip_hash_invalid'),
    name: z
      .string()
      .max(100, 'too_long')
      .refine((v) => !/[\p{Cc}\u202A-\u202E\u2066-\u2069]/u.test(v), 'invalid_characters'),
  })
  .partial()
  .refine((f) => !f.from || !f.to || !isDay(f.from) || !isDay(f.to) || f.from <= f.to, { message: 'date_range', path: ['to'] });

export type FilterResult = { ok: true; filters: SignatureFilters } | { ok: false; fields: Record<string, string> };

/**
 * Reads the filters from a query string or form. Blank values mean "no filter"; `allowed` lists other
 * keys the caller reads itself (such as `_csrf`). Anything else is refused, so a misspelt filter can
 * never widen a search (or an invalidation) to everything.
 */
export function parseFilters(input: Record<string, unknown>, allowed: readonly string[] = []): FilterResult {
  const given = Object.fromEntries(
    Object.entries(input)
      .filter(([key, value]) => !allowed.includes(key) && value !== '' && value !== undefined)
      .map(([key, value]) => [key, typeof value === 'string' ? value.trim() : value]),
  );
  const parsed = schema.safeParse(given);
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) {
      if (issue.code === 'unrecognized_keys') for (const key of issue.keys) fields[key.slice(0, 40)] ??= 'unknown_filter';
      else fields[String(issue.path[0] ?? 'filters')] ??= issue.code === 'invalid_type' ? 'type' : issue.message;
    }
    return { ok: false, fields };
  }
  const f = parsed.data;
  const filters: SignatureFilters = { ...f };
  if (f.country) filters.country = f.country.toUpperCase();
  if (f.domain) filters.domain = canonicalDomain(f.domain);
  if (f.name) filters.name = f.name.normalize('NFC').replace(/\s+/gu, ' ');
  return { ok: true, filters };
}

export const hasFilters = (filters: SignatureFilters) => FILTER_NAMES.some((name) => filters[name] !== undefined);

const nextDay = (day: string) => new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000);

/** What the signatures feature searches by, for every filter but the name, which is encrypted and matched after decryption. */
export function filterCriteria(petitionId: string, filters: SignatureFilters, protector: DataProtector): SignatureCriteria {
  const criteria: SignatureCriteria = { petitionId };
  if (filters.email) {
    const email = normaliseEmail(filters.email);
    if (email.ok) criteria.emailHash = protector.emailHash(email.canonical);
  }
  if (filters.domain) criteria.domainHash = protector.domainHash(filters.domain);
  if (filters.country) criteria.country = filters.country;
  if (filters.status) criteria.status = filters.status;
  if (filters.source) criteria.source = filters.source;
  if (filters.ipHash) criteria.ipHash = filters.ipHash;
  if (filters.from) criteria.createdFrom = new Date(`${filters.from}T00:00:00Z`);
  if (filters.to) criteria.createdBefore = nextDay(filters.to);
  return criteria;
}

const fold = (s: string) => s.normalize('NFC').toLocaleLowerCase('und');

/** Case-insensitive substring match on the first name, the last name or "first last" together. */
export function nameMatcher(name: string | undefined): ((details: Pick<SignerDetails, 'firstName' | 'lastName'>) => boolean) | null {
  if (!name) return null;
  const wanted = fold(name);
  return ({ firstName, lastName }) => fold(`${firstName} ${lastName}`).includes(wanted);
}

/** For the audit log: which filters were used, without the personal data some of them carry. */
export function redactFilters(filters: SignatureFilters): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of FILTER_NAMES) {
    const value = filters[name];
    if (value !== undefined) out[name] = name === 'email' || name === 'name' ? '[given]' : value;
  }
  return out;
}

/** The filters as name/value pairs: hidden form fields and links carry them from one page to the next. */
export const filterEntries = (filters: SignatureFilters) =>
  FILTER_NAMES.flatMap((name) => (filters[name] === undefined ? [] : [{ name, value: filters[name] }]));

export const filterQueryString = (filters: SignatureFilters) =>
  new URLSearchParams(filterEntries(filters).map(({ name, value }): [string, string] => [name, value])).toString();
