import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { neutraliseCell } from './csv-safety.js';

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
