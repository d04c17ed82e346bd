import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { stringify } from 'csv-stringify/sync';
import { csvRecords, neutraliseCell } from './csv-safety.js';

describe('neutraliseCell', () => {
  for (const value of ['=HYPERLINK("http://x","y")', '+1', '-2+3', '@SUM(A1:A2)', '\tcmd', '\r=1+1', '-Ali', '\uFF1D1+1']) {
    test(`when a cell starts with ${JSON.stringify(value[0])}, then it is prefixed with a quote`, () => {
      assert.equal(neutraliseCell(value), `'${value}`);
    });
  }

  for (const value of ['', 'Ali', 'Jean-Luc', 'a=b', 'x+1', 'user@example', "'quoted", ' =1', 'Ürümqi', '2024-05-01T10:00:00.000Z']) {
    test(`when a cell is ${JSON.stringify(value)}, then it is unchanged`, () => {
      assert.equal(neutraliseCell(value), value);
    });
  }
});

describe('csvRecords', () => {
  const tricky = ['', 'Ali', 'Smith, Jr.', 'O"Brien', '"', 'Line one\nLine two', 'a\r\nb', 'ends with CR\r', '\rstarts with CR', '=1+1', '-Ali', '\t=cmd', '\uFF1D1', "'quoted", 'Ürümqi 😀', ' spaced ', ',', '""'];

  test('when cells hold quotes, commas, line breaks and formula starts, then the text is what csv-stringify writes with the same rules', () => {
    const records = tricky.map((cell, i) => [cell, tricky[(i + 5) % tricky.length]!, 'GB']);
    const expected = stringify(records, { record_delimiter: '\r\n', quote_record_delimiter: true, cast: { string: neutraliseCell } });

    assert.equal(csvRecords(records), expected);
  });

  test('when there are no records, then the text is empty', () => {
    assert.equal(csvRecords([]), '');
  });
});
