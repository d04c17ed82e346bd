import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { decodeCsv, detectDelimiter, readPaperCsv } from './paper-csv.js';
import { ImportRefused } from './paper-format.js';

const HEADER = 'first_name,last_name,email,country,postcode,collected_at,collected_where';
const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));
const refusedAs = (key: string, status: number) => (error: unknown) => error instanceof ImportRefused && error.key === key && error.status === status;

describe('decodeCsv', () => {
  test('when the file starts with a UTF-8 byte order mark, then the mark is dropped and the text kept', () => {
    assert.equal(decodeCsv(bytes([0xef, 0xbb, 0xbf], 'a,b\n')), 'a,b\n');
  });

  test('when the file starts with a UTF-16 byte order mark (either order), then it is refused as a whole with 415', () => {
    assert.throws(() => decodeCsv(bytes([0xff, 0xfe], 'a')), refusedAs('utf16', 415));
    assert.throws(() => decodeCsv(bytes([0xfe, 0xff], 'a')), refusedAs('utf16', 415));
  });

  test('when the file contains NUL bytes (UTF-16 without a mark, or binary), then it is refused with 415', () => {
    assert.throws(() => decodeCsv(Buffer.from('a,b\n', 'utf16le')), refusedAs('binary', 415));
  });

  test('when the file is an xlsx workbook (a zip), then it is refused with a message naming the workbook', () => {
    assert.throws(() => decodeCsv(bytes([0x50, 0x4b, 0x03, 0x04], 'rest')), refusedAs('workbook', 415));
  });

  test('when the file is empty or only blank, then it is refused with 422', () => {
    assert.throws(() => decodeCsv(Buffer.alloc(0)), refusedAs('empty', 422));
    assert.throws(() => decodeCsv(bytes([0xef, 0xbb, 0xbf], ' \r\n\n')), refusedAs('empty', 422));
  });

  test('when a byte is not valid UTF-8 (Latin-1 é), then it decodes to U+FFFD instead of failing', () => {
    assert.equal(decodeCsv(bytes('Jos', [0xe9], '\n')), 'Jos\uFFFD\n');
  });
});

describe('detectDelimiter', () => {
  test('when the header has more semicolons than commas, then the delimiter is a semicolon', () => {
    assert.equal(detectDelimiter('first_name;last_name;country\nA,B;C;D'), ';');
    assert.equal(detectDelimiter(`${HEADER}\nA;B`), ',');
  });
});

describe('readPaperCsv', () => {
  test('when columns come in another order and case, with spaces for underscores, then each row maps by name and the line is given', async () => {
    const csv = await readPaperCsv('Country;Collected At;COLLECTED_WHERE;Last Name;first-name\nGB;2025-03-01;Leeds;Lee;Ann\n');
    assert.deepEqual(csv.rows, [{ line: 2, fields: { first_name: 'Ann', last_name: 'Lee', country: 'GB', collected_at: '2025-03-01', collected_where: 'Leeds' } }]);
    assert.deepEqual(csv.broken, []);
  });

  test('when a quoted value spans lines or blank lines come between rows, then line numbers are where each row starts', async () => {
    const text = `${HEADER}\r\nA,B,,GB,,2025-01-01,"Market Street,\r\nManchester"\r\n\r\n  \r\nC,D,,FR,,2025-01-02,Lyon\r\n,,,,,,\r\n`;
    const csv = await readPaperCsv(text);
    assert.deepEqual(csv.rows.map((r) => [r.line, r.fields.collected_where]), [[2, 'Market Street,\nManchester'], [6, 'Lyon']]);
    assert.deepEqual(csv.broken, []);
  });

  test('when a row has too few or too many columns, then it is a broken row with both counts, and later rows still read', async () => {
    const csv = await readPaperCsv(`${HEADER}\nA,B,,GB\nA,B,,GB,,2025-01-01,Leeds,extra\nC,D,,FR,,2025-01-02,Lyon\n`);
    assert.deepEqual(csv.broken, [
      { line: 2, reasons: [{ code: 'columnCount', count: 4, expected: 7 }] },
      { line: 3, reasons: [{ code: 'columnCount', count: 8, expected: 7 }] },
    ]);
    assert.deepEqual(csv.rows.map((r) => r.line), [4]);
  });

  test('when a row contains U+FFFD (another encoding), then it is broken as not UTF-8 and the others are read', async () => {
    const csv = await readPaperCsv(`${HEADER}\nJos\uFFFD,B,,GB,,2025-01-01,Leeds\nC,D,,FR,,2025-01-02,Lyon\n`);
    assert.deepEqual(csv.broken, [{ line: 2, reasons: [{ code: 'notUtf8' }] }]);
    assert.equal(csv.rows.length, 1);
  });

  test('when a quote is never closed, then the row where it opens is reported with the last line it swallowed', async () => {
    const csv = await readPaperCsv(`${HEADER}\nA,B,,GB,,2025-01-01,Leeds\n"C,D,,FR,,2025-01-02,Lyon\nE,F,,FR,,2025-01-02,Nice\n`);
    assert.deepEqual(csv.broken, [{ line: 3, reasons: [{ code: 'unclosedQuote', to: 4 }] }]);
    assert.deepEqual(csv.rows.map((r) => r.line), [2]);
  });

  test('when a multi-byte character falls across the boundary of two parsed chunks, then it arrives whole', async () => {
    const padding = 'x'.repeat(64 * 1024 - HEADER.length - 2);
    const csv = await readPaperCsv(`${HEADER}\n${padding}\u00e9,B,,GB,,2025-01-01,Leeds\n`);
    assert.deepEqual(csv.broken, []);
    assert.equal(csv.rows[0]?.fields.first_name, `${padding}\u00e9`);
  });

  test('when a stray quote sits inside a value, then the value keeps it rather than the row failing', async () => {
    const csv = await readPaperCsv(`${HEADER}\nAnn "Nan",B,,GB,,2025-01-01,Leeds\n`);
    assert.equal(csv.rows[0]?.fields.first_name, 'Ann "Nan"');
  });

  test('when the header misses required columns, then the file is refused listing the expected and missing columns', async () => {
    await assert.rejects(
      () => readPaperCsv('name,email\nAnn,a@example.org\n'),
      (error: unknown) =>
        error instanceof ImportRefused &&
        error.key === 'header' &&
        error.vars.missing === 'first_name, last_name, country, collected_at, collected_where' &&
        String(error.vars.expected).includes('email (optional)'),
    );
  });

  test('when a column appears twice in the header, then the file is refused', async () => {
    await assert.rejects(() => readPaperCsv(`${HEADER},Country\n`), refusedAs('headerTwice', 422));
  });

  test('when the file has a header only, then there are no rows and nothing broken', async () => {
    assert.deepEqual(await readPaperCsv(`${HEADER}\n`), { rows: [], broken: [] });
  });
});
