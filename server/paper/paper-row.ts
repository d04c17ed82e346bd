import { createRequire } from 'node:module';
import { isCountryCode } from '../countries/countries.js';
import { LANGUAGE_CODES, type Language } from '../i18n/languages.js';
import { normaliseEmail } from '../signatures/email-normaliser.js';
import { normaliseName, normalisePostcode, type TextResult } from '../signatures/text-normaliser.js';
import type { PaperFields } from './paper-csv.js';
import type { PaperColumn, Reason } from './paper-format.js';

const require = createRequire(import.meta.url);
const isoCountries = require('i18n-iso-countries') as { getAlpha2Code(name: string, lang: string): string | undefined };

export interface PaperRow {
  firstName: string;
  lastName: string;
  email: { address: string; canonical: string; domain: string } | null;
  country: string;
  postcode: string;
  /** The day as written, YYYY-MM-DD, and as a UTC midnight. */
  collectedOn: string;
  collectedAt: Date;
  collectedWhere: string;
  /** The language the signer's emails are written in; null: the petition's main language. */
  language: Language | null;
  /** The signer ticked "send me news of this petition" (delivery updates). */
  updates: boolean;
}

export type RowResult = { ok: true; row: PaperRow } | { ok: false; reasons: Reason[] };

/** An ISO alpha-2 code in any case, or an English country name ("United Kingdom", "Côte d'Ivoire"). */
export function resolveCountry(input: string): string | null {
  const value = input.trim();
  if (/^[a-z]{2}$/i.test(value)) return isCountryCode(value.toUpperCase()) ? value.toUpperCase() : null;
  const code = value ? isoCountries.getAlpha2Code(value, 'en') : undefined;
  return code && isCountryCode(code) ? code : null;
}

/** A calendar date written YYYY-MM-DD, as UTC midnight; null for anything else (31 February included). */
export function parseDay(input: string): Date | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(input.trim());
  if (!match) return null;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  return date.toISOString().slice(0, 10) === input.trim() ? date : null;
}

/** A language code the site speaks, in any case (`fr`, `zh-hant`); null for anything else. */
export function resolveLanguage(input: string): Language | null {
  const value = input.trim().toLowerCase();
  return LANGUAGE_CODES.find((code) => code.toLowerCase() === value) ?? null;
}

const YES = new Set(['yes', 'y', 'true', '1', 'x']);
const NO = new Set(['no', 'n', 'false', '0', '']);

/** A tick box as spreadsheets write it: yes/no, y/n, true/false, 1/0 or x; empty is no. Null for anything else. */
export function parseYesNo(input: string): boolean | null {
  const value = input.trim().toLowerCase();
  return YES.has(value) ? true : NO.has(value) ? false : null;
}

const TEXT_REASONS: Record<Exclude<TextResult, { ok: true }>['reason'], string> = {
  required: 'required',
  too_long: 'tooLong',
  invalid_characters: 'invalidCharacters',
  invalid: 'noLetters',
};

// What a person typed in a cell is shown back in a reason, shortened: enough to find it in the sheet.
const shown = (value: string) => ([...value].length > 40 ? `${[...value].slice(0, 39).join('')}…` : value);

const DAY_MS = 86_400_000;

/**
 * Validates one row with the same normalisers as online signing. Every problem of the row is
 * reported, not only the first. `now` bounds collected_at: paper from the future is a typo.
 */
export function validatePaperRow(fields: PaperFields, now: Date): RowResult {
  const reasons: Reason[] = [];
  const text = (column: PaperColumn, result: TextResult): string => {
    if (result.ok) return result.value;
    reasons.push({ code: TEXT_REASONS[result.reason], column });
    return '';
  };
  const firstName = text('first_name', normaliseName(fields.first_name ?? ''));
  const lastName = text('last_name', normaliseName(fields.last_name ?? ''));
  // A place is often typed as address lines in one spreadsheet cell: they become one line.
  const collectedWhere = text('collected_where', normaliseName((fields.collected_where ?? '').replace(/\n/g, ' '), 200));
  const postcode = text('postcode', normalisePostcode(fields.postcode ?? ''));

  const rawEmail = (fields.email ?? '').trim();
  const email = rawEmail ? normaliseEmail(rawEmail) : null;
  if (email && !email.ok) reasons.push(email.reason === 'too_long' ? { code: 'tooLong', column: 'email' } : { code: 'emailInvalid' });

  const rawCountry = (fields.country ?? '').trim();
  const country = resolveCountry(rawCountry);
  if (!rawCountry) reasons.push({ code: 'required', column: 'country' });
  else if (!country) reasons.push({ code: 'countryUnknown', value: shown(rawCountry) });

  const rawDay = (fields.collected_at ?? '').trim();
  const collectedAt = parseDay(rawDay);
  if (!rawDay) reasons.push({ code: 'required', column: 'collected_at' });
  else if (!collectedAt) reasons.push({ code: 'dateInvalid', value: shown(rawDay) });
  // A day ahead of UTC is still today somewhere.
  else if (collectedAt.getTime() > now.getTime() + DAY_MS) reasons.push({ code: 'dateFuture', value: rawDay });

  const rawLanguage = (fields.language ?? '').trim();
  const language = rawLanguage ? resolveLanguage(rawLanguage) : null;
  if (rawLanguage && !language) reasons.push({ code: 'languageUnknown', column: 'language', value: shown(rawLanguage), choices: LANGUAGE_CODES.join(', ') });

  const updates = parseYesNo(fields.updates ?? '');
  if (updates === null) reasons.push({ code: 'notYesNo', column: 'updates', value: shown((fields.updates ?? '').trim()) });

  if (reasons.length > 0 || !country || !collectedAt || (email && !email.ok)) return { ok: false, reasons };
  return {
    ok: true,
    row: {
      firstName,
      lastName,
      email: email ? { address: email.address, canonical: email.canonical, domain: email.domain } : null,
      country,
      postcode,
      collectedOn: rawDay,
      collectedAt,
      collectedWhere,
      language,
      updates: updates ?? false,
    },
  };
}
