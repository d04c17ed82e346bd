import { Readable } from 'node:stream';
import { parse, type CsvError } from 'csv-parse';
import { columnList, ImportRefused, PAPER_COLUMNS, type PaperColumn, type ReportRow } from './paper-format.js';

export type PaperFields = Partial<Record<PaperColumn, string>>;

export interface PaperCsv {
  rows: { line: number; fields: PaperFields }[];
  /** Rows that could not be read as CSV, or whose text is not UTF-8. */
  broken: ReportRow[];
}

const startsWith = (bytes: Uint8Array, ...prefix: number[]) => prefix.every((b, i) => bytes[i] === b);

/**
 * Bytes to text. UTF-8 with or without BOM; a stray byte of another encoding becomes U+FFFD and
 * refuses only its own row. Files that are not UTF-8 text at all are refused as a whole.
 */
export function decodeCsv(bytes: Uint8Array): string {
  if (startsWith(bytes, 0xff, 0xfe) || startsWith(bytes, 0xfe, 0xff)) {
    throw new ImportRefused(415, 'utf16', 'The file is saved as UTF-16 ("Unicode text"). Save it as "CSV UTF-8" and upload it again.');
  }
  if (startsWith(bytes, 0x50, 0x4b, 0x03, 0x04)) {
    throw new ImportRefused(415, 'workbook', 'This is a spreadsheet workbook (such as .xlsx), not a CSV file. Save it as "CSV UTF-8" and upload that.');
  }
  if (bytes.includes(0)) throw new ImportRefused(415, 'binary', 'The file contains NUL bytes: it is not a CSV text file. Save it as "CSV UTF-8".');
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes);
  if (!text.trim()) throw new ImportRefused(422, 'empty', 'The file is empty.');
  return text;
}

/** Spreadsheets in many European locales save CSV with semicolons; the header line tells which. */
export function detectDelimiter(text: string): ',' | ';' {
  const header = text.slice(0, text.search(/[\r\n]|$/));
  const count = (c: string) => header.split(c).length - 1;
  return count(';') > count(',') ? ';' : ',';
}

const headerName = (cell: string) => cell.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** The line a record starts on: where it ends, less the line breaks inside it. */
function startLine(endLine: number, raw: string | undefined): number {
  // Blank lines skipped before a record are part of its raw text; the record starts after them.
  const body = (raw ?? '').replace(/^\s+/, '').replace(/\n$/, '');
  return endLine - (body.match(/\n/g)?.length ?? 0);
}

function columnIndexes(header: string[]): Map<PaperColumn, number> {
  const names = header.map(headerName);
  const found = new Map<PaperColumn, number>();
  for (const column of PAPER_COLUMNS) {
    const at = names.indexOf(column.name);
    if (at === -1) continue;
    if (names.indexOf(column.name, at + 1) !== -1) {
      throw new ImportRefused(422, 'headerTwice', `The column ${column.name} appears twice in the header.`, { column: column.name });
    }
    found.set(column.name, at);
  }
  const missing = PAPER_COLUMNS.filter((c) => c.required && !found.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    const message = `The first line must be a header naming the columns: ${columnList()}. Missing: ${missing.join(', ')}.`;
    throw new ImportRefused(422, 'header', message, { expected: columnList(), missing: missing.join(', ') });
  }
  return found;
}

const CHUNK_BYTES = 64 * 1024;

/** Lets other requests run: a big file is parsed a chunk per turn of the event loop, not in one block. */
export const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

async function* inChunks(bytes: Buffer) {
  for (let at = 0; at < bytes.length; at += CHUNK_BYTES) {
    yield bytes.subarray(at, at + CHUNK_BYTES);
    await nextTurn();
  }
}

type ParsedRecord = { record: string[]; info: { lines: number }; raw: string };

/** Reads the text as CSV: a header naming the columns (any order, any case), then one signature per row. */
export async function readPaperCsv(text: string): Promise<PaperCsv> {
  const broken: ReportRow[] = [];
  // One kind of line break: csv-parse counts a CRLF inside a quoted value as two lines.
  const lines = text.replace(/\r\n?/g, '\n');
  const parser = parse({
    delimiter: detectDelimiter(lines),
    record_delimiter: '\n',
    info: true,
    raw: true,
    trim: true,
    relax_quotes: true,
    relax_column_count: false,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error: CsvError | undefined, raw: string | undefined) => {
      if (!raw?.trim()) return undefined;
      const endLine = typeof error?.lines === 'number' ? error.lines : 0;
      const line = startLine(endLine, raw);
      const record = Array.isArray(error?.record) ? error.record : null;
      if (error?.code === 'CSV_QUOTE_NOT_CLOSED') broken.push({ line, reasons: [{ code: 'unclosedQuote', to: endLine }] });
      else if (error?.code === 'CSV_RECORD_INCONSISTENT_FIELDS_LENGTH' && record) {
        broken.push({ line, reasons: [{ code: 'columnCount', count: record.length }] });
      } else broken.push({ line, reasons: [{ code: 'unreadable' }] });
      return undefined;
    },
  });
  Readable.from(inChunks(Buffer.from(lines, 'utf8'))).pipe(parser);

  let header: string[] | null = null;
  let columns = new Map<PaperColumn, number>();
  const rows: PaperCsv['rows'] = [];
  for await (const { record, info, raw } of parser as AsyncIterable<ParsedRecord>) {
    if (!header) {
      header = record;
      columns = columnIndexes(record);
      continue;
    }
    if (record.every((cell) => !cell)) continue;
    const line = startLine(info.lines, raw);
    if (record.some((cell) => cell.includes('\uFFFD'))) {
      broken.push({ line, reasons: [{ code: 'notUtf8' }] });
      continue;
    }
    const fields: PaperFields = {};
    for (const [name, at] of columns) fields[name] = record[at] ?? '';
    rows.push({ line, fields });
  }
  // No header at all is refused like a header missing every column.
  if (!header) columnIndexes([]);
  for (const reason of broken.flatMap((b) => b.reasons)) if (reason.code === 'columnCount') reason.expected = header?.length;
  return { rows, broken };
}
