import { Transform } from 'node:stream';
import { countryName } from '../countries/countries.js';
import type { DataProtector } from '../shared/data-protector.js';
import type { SignatureForExport, SignerDetails } from '../signatures/index.js';
import { csvRecords } from './csv-safety.js';

export type ExportFormat = 'csv' | 'json';

export const SIGNATURE_COLUMNS = ['country_code', 'country_name', 'first_name', 'last_name', 'source', 'signed_at', 'collected_where'] as const;

/** One exported record, its cells in the order of its export's columns. */
export type Row = readonly string[];

/** One exported signature, in the order of SIGNATURE_COLUMNS. */
export type SignatureRow = [string, string, string, string, string, string, string];

/** Country names in `lang`, each looked up once per export. */
export function countryNames(lang: string): (code: string) => string {
  const names = new Map<string, string>();
  return (code) => {
    let name = names.get(code);
    if (name === undefined) names.set(code, (name = countryName(code, lang)));
    return name;
  };
}

/** When a signature was signed, as an ISO time: on paper, when it was collected. */
export function signedAt(): (doc: SignatureForExport) => string {
  const isoTime = isoTimestamps();
  return (doc) => isoTime((doc.source === 'paper' && doc.collectedAt) || doc.createdAt);
}

/**
 * A stored signature as an export row: only what its signer's consent allows. A hidden name is
 * not even decrypted; email, postcode and comment are decrypted with the names but never copied.
 * Country names are in `lang`.
 */
export function toSignatureRow(protector: DataProtector, lang = 'en'): (doc: SignatureForExport) => SignatureRow {
  const nameOf = countryNames(lang);
  const signed = signedAt();
  return (doc) => {
    const paper = doc.source === 'paper';
    const person = doc.consent?.hideName ? null : signerNames(protector.openText(doc.pii, doc._id));
    return [doc.country, nameOf(doc.country), person?.firstName ?? '', person?.lastName ?? '', paper ? 'paper' : 'online', signed(doc), paper ? (doc.collectedWhere ?? '') : ''];
  };
}

type Names = Partial<Pick<SignerDetails, 'firstName' | 'lastName'>>;

/** Whether signerNames and signerComment may read a key's value without parsing (see signerNames). */
const plainFlat = (json: string) => !json.includes('\\') && json.indexOf('{', 1) === -1;

/**
 * The names in a signer's sealed details (JSON.stringify of a flat object), without parsing the
 * rest, which an export never shows: a quarter of the cost of JSON.parse, and less garbage. When the
 * text holds no backslash and no nested object, every quote in it delimits a string, so
 * `"firstName":"` can only be that key with its value, which the next quote ends. Anything else
 * is parsed.
 */
export function signerNames(json: string): Names {
  if (plainFlat(json)) {
    const firstName = stringAfter(json, '"firstName":"');
    const lastName = stringAfter(json, '"lastName":"');
    if (firstName !== undefined && lastName !== undefined) return { firstName, lastName };
  }
  const { firstName, lastName } = JSON.parse(json) as Names;
  return { firstName, lastName };
}

/** The comment in a signer's sealed details, read as signerNames reads the names; '' when there is none. */
export function signerComment(json: string): string {
  const comment = plainFlat(json) ? stringAfter(json, '"comment":"') : undefined;
  return comment ?? (JSON.parse(json) as Partial<SignerDetails>).comment ?? '';
}

function stringAfter(json: string, key: string): string | undefined {
  const at = json.indexOf(key);
  return at === -1 ? undefined : json.slice(at + key.length, json.indexOf('"', at + key.length));
}

const DAY_MS = 86_400_000;
const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));
const THREE_DIGITS = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));

/**
 * Date#toISOString, five times cheaper for dates that come in order: the date part is asked of
 * toISOString once per day, the time of day is arithmetic. Profiled, it cost an export more per
 * row than anything but decryption.
 */
export function isoTimestamps(): (date: Date) => string {
  let day = NaN;
  let datePart = '';
  return (date) => {
    const ms = date.getTime();
    const today = Math.floor(ms / DAY_MS);
    if (today !== day) {
      const iso = date.toISOString();
      day = today;
      datePart = iso.slice(0, iso.indexOf('T') + 1);
    }
    let rest = ms - today * DAY_MS;
    const hours = Math.floor(rest / 3_600_000);
    rest -= hours * 3_600_000;
    const minutes = Math.floor(rest / 60_000);
    rest -= minutes * 60_000;
    const seconds = Math.floor(rest / 1000);
    return `${datePart}${TWO_DIGITS[hours]}:${TWO_DIGITS[minutes]}:${TWO_DIGITS[seconds]}.${THREE_DIGITS[rest - seconds * 1000]}Z`;
  };
}

/** How a format writes a batch of rows (`first`: nothing written yet), and what closes it. */
interface TextFormat {
  records: (rows: readonly Row[], first: boolean) => string;
  /** The whole file when there are no rows. */
  empty: string;
  end: string;
}

/** RFC 4180 with a BOM so spreadsheets read UTF-8; the header even when there are no rows. */
function csv(columns: Row): TextFormat {
  const start = `\uFEFF${csvRecords([columns])}`;
  return { records: (rows, first) => (first ? start : '') + csvRecords(rows), empty: start, end: '' };
}

/** A JSON array, its records written as they come, so its size in memory does not depend on the row count. */
function jsonArray(columns: Row): TextFormat {
  return {
    records(rows, first) {
      let text = '';
      for (const row of rows) {
        const record = Object.fromEntries(columns.map((column, i) => [column, row[i]]));
        text += `${first ? '[\n' : ',\n'}${JSON.stringify(record)}`;
        first = false;
      }
      return text;
    },
    empty: '[]\n',
    end: '\n]\n',
  };
}

/**
 * Batches of rows in, text out, under a header of `columns` (CSV) or with them as keys (JSON): one
 * chunk per batch, so that a large export pays the stream's and the socket's costs per thousand
 * rows, not per row. Holds one batch at a time.
 */
export function rowWriter(columns: Row, format: ExportFormat): Transform {
  const { records, empty, end } = format === 'csv' ? csv(columns) : jsonArray(columns);
  let first = true;
  return new Transform({
    writableObjectMode: true,
    writableHighWaterMark: 1,
    transform(rows: Row[], _encoding, done) {
      if (rows.length === 0) return done();
      const text = records(rows, first);
      first = false;
      done(null, text);
    },
    flush(done) {
      done(null, first ? empty : end);
    },
  });
}

export const CONTENT_TYPES: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' };
