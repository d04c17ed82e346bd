import assert from 'node:assert/strict';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { describe, test } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import { neutraliseCell } from './csv-safety.js';
import { isoTimestamps, rowWriter, SIGNATURE_COLUMNS, signerComment, signerNames, type ExportFormat, type SignatureRow } from './export-format.js';

const details = (names: object) => JSON.stringify({ ...names, email: 'a@example.org', postcode: 'AB1 2CD', comment: '' });

describe('signerNames', () => {
  const cases = [
    details({ firstName: 'Ayse', lastName: 'Kaya' }),
    details({ firstName: '', lastName: '' }),
    details({ firstName: 'O"Brien', lastName: 'back\\slash' }),
    details({ firstName: 'Ürümqi 😀', lastName: 'line\nbreak' }),
    details({ firstName: '"lastName":"fake', lastName: 'real' }),
    details({ firstName: '{', lastName: '}' }),
    JSON.stringify({ comment: '"firstName":"not this', lastName: 'Last', firstName: 'First' }),
    JSON.stringify({ email: 'x@example.org', firstName: 'Only first' }),
    JSON.stringify({ firstName: 'Nested', lastName: 'Outer', extra: { firstName: 'inner' } }),
    JSON.stringify({ extra: { firstName: 'inner', lastName: 'inner' }, firstName: 'Outer', lastName: 'Outer' }),
    '{ "firstName": "Spaced", "lastName": "Out" }',
  ];

  for (const json of cases) {
    test(`when the details are ${json}, then the names are what JSON.parse reads`, () => {
      const { firstName, lastName } = JSON.parse(json) as { firstName?: string; lastName?: string };
      assert.deepEqual(signerNames(json), { firstName, lastName });
    });
  }
});

describe('signerComment', () => {
  const cases = [
    details({ firstName: 'Ayse', lastName: 'Kaya' }),
    JSON.stringify({ firstName: 'A', lastName: 'B', email: 'a@example.org', postcode: '', comment: 'Free them all' }),
    JSON.stringify({ firstName: 'A', lastName: 'B', email: 'a@example.org', postcode: '', comment: 'Two\nlines, "quoted"' }),
    JSON.stringify({ firstName: '"comment":"fake', lastName: 'B', comment: 'real' }),
    JSON.stringify({ comment: '=HYPERLINK("http://x","y")', firstName: 'A' }),
    JSON.stringify({ extra: { comment: 'inner' }, comment: 'outer' }),
    JSON.stringify({ firstName: 'No comment at all' }),
  ];

  for (const json of cases) {
    test(`when the details are ${json}, then the comment is what JSON.parse reads, or ''`, () => {
      assert.equal(signerComment(json), (JSON.parse(json) as { comment?: string }).comment ?? '');
    });
  }
});

describe('isoTimestamps', () => {
  test('when dates come in order, out of order, before 1970 and past 9999, then each is written as toISOString writes it', () => {
    const iso = isoTimestamps();
    const dates = [
      ...Array.from({ length: 2000 }, (_, i) => new Date(Date.UTC(2024, 4, 1) + i * 37_123)),
      ...Array.from({ length: 2000 }, (_, i) => new Date(Math.round(Math.sin(i) * 8.64e15))),
      new Date(0),
      new Date(-1),
      new Date(Date.UTC(2024, 1, 29, 23, 59, 59, 999)),
    ];

    const wrong = dates.filter((d) => iso(d) !== d.toISOString()).map((d) => `${d.toISOString()} written ${iso(d)}`);

    assert.deepEqual(wrong, []);
  });
});

describe('rowWriter', () => {
  const row = (first: string, i: number): SignatureRow => ['GB', 'United Kingdom', first, `Last ${i}`, i % 2 ? 'paper' : 'online', new Date(Date.UTC(2024, 4, 1, 0, i)).toISOString(), i % 2 ? 'Town, square' : ''];
  const batches = [['Ayse', '=1+1', 'O"Brien'].map(row), [], ['Line\nbreak', '-Ali'].map((first, i) => row(first, i + 3))];

  async function written(format: ExportFormat, input: SignatureRow[][]) {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    });
    await pipeline(Readable.from(input), rowWriter(SIGNATURE_COLUMNS, format), sink);
    return Buffer.concat(chunks).toString('utf8');
  }

  test('when batches of rows are written as CSV, then the text is the BOM, the header and the rows as csv-stringify writes them', async () => {
    const expected = stringify(batches.flat(), { bom: true, header: true, columns: [...SIGNATURE_COLUMNS], record_delimiter: '\r\n', quote_record_delimiter: true, cast: { string: neutraliseCell } });

    assert.equal(await written('csv', batches), expected);
  });

  test('when there are no rows, then the CSV is the BOM and the header, and the JSON an empty array', async () => {
    assert.equal(await written('csv', []), `\uFEFF${SIGNATURE_COLUMNS.join(',')}\r\n`);
    assert.equal(await written('json', []), '[]\n');
  });

  test('when batches of rows are written as JSON, then the text is one array of objects with the columns as keys', async () => {
    const text = await written('json', batches);

    assert.deepEqual(JSON.parse(text), batches.flat().map((r) => Object.fromEntries(SIGNATURE_COLUMNS.map((column, i) => [column, r[i]]))));
    assert.ok(text.startsWith('[\n{') && text.endsWith('}\n]\n'), `one record a line: ${JSON.stringify(text.slice(0, 20))}…${JSON.stringify(text.slice(-8))}`);
  });
});
