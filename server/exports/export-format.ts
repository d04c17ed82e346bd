import { Transform } from 'node:stream';
import { stringify } from 'csv-stringify';
import { countryName } from '../countries/countries.js';
import type { DataProtector } from '../shared/data-protector.js';
import type { SignatureForExport, SignerDetails } from '../signatures/index.js';
import { neutraliseCell } from './csv-safety.js';

export type ExportFormat = 'csv' | 'json';

export const SIGNATURE_COLUMNS = ['country_code', 'country_name', 'first_name', 'last_name', 'source', 'signed_at', 'collected_where'] as const;

/** One exported signature, in the order of SIGNATURE_COLUMNS. */
export type SignatureRow = [string, string, string, string, string, string, string];

/**
 * A stored signature as an export row: only what its signer's consent allows. A hidden name is
 * not even decrypted; email, postcode and comment are decrypted with the names but never copied.
 */
export function toSignatureRow(protector: DataProtector): (doc: SignatureForExport) => SignatureRow {
  const names = new Map<string, string>();
  const nameOf = (code: string) => {
    let name = names.get(code);
    if (name === undefined) names.set(code, (name = countryName(code, 'en')));
    return name;
  };
  return (doc) => {
    const paper = doc.source === 'paper';
    const person = doc.consent?.hideName ? null : protector.open<Pick<SignerDetails, 'firstName' | 'lastName'>>(doc.pii, doc._id);
    return [
      doc.country,
      nameOf(doc.country),
      person?.firstName ?? '',
      person?.lastName ?? '',
      paper ? 'paper' : 'online',
      ((paper && doc.collectedAt) || doc.createdAt).toISOString(),
      paper ? (doc.collectedWhere ?? '') : '',
    ];
  };
}

/**
 * RFC 4180 with a BOM so spreadsheets read UTF-8. csv-stringify only quotes a bare LF or CR when
 * asked once a record delimiter is set, hence quote_record_delimiter. Every text cell goes through
 * neutraliseCell before quoting.
 */
const csvWriter = () =>
  stringify({
    bom: true,
    header: true,
    columns: [...SIGNATURE_COLUMNS],
    record_delimiter: '\r\n',
    quote_record_delimiter: true,
    cast: { string: neutraliseCell },
  });

/** A JSON array written one object at a time, so its size in memory does not depend on the row count. */
function jsonWriter(): Transform {
  let first = true;
  return new Transform({
    writableObjectMode: true,
    transform(row: SignatureRow, _encoding, done) {
      const record = Object.fromEntries(SIGNATURE_COLUMNS.map((column, i) => [column, row[i]]));
      done(null, `${first ? '[\n' : ',\n'}${JSON.stringify(record)}`);
      first = false;
    },
    flush(done) {
      done(null, first ? '[]\n' : '\n]\n');
    },
  });
}

export const signatureWriter = (format: ExportFormat): Transform => (format === 'csv' ? csvWriter() : jsonWriter());

export const CONTENT_TYPES: Record<ExportFormat, string> = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' };
