import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { progressLine, terminalProgress } from './progress-line.js';

describe('progressLine', () => {
  test('when part of a known total is done, then it shows both counts with separators and the whole percent', () => {
    assert.equal(progressLine('packet', { done: 120_000, total: 323_832 }, 'signatures'), 'packet: 120,000 / 323,832 signatures (37%)');
  });

  test('when everything is done, then it shows 100%', () => {
    assert.equal(progressLine('export', { done: 5, total: 5 }, 'rows'), 'export: 5 / 5 rows (100%)');
  });

  test('when more is done than the estimate, then the percent stops at 100', () => {
    assert.equal(progressLine('export', { done: 12, total: 10 }, 'rows'), 'export: 12 / 10 rows (100%)');
  });

  test('when the total is unknown, then it shows the count alone', () => {
    assert.equal(progressLine('import', { done: 1_500, total: 0 }, 'rows'), 'import: 1,500 rows');
  });
});

describe('terminalProgress', () => {
  const recorder = (isTTY: boolean) => {
    const written: string[] = [];
    return { isTTY, written, write: (text: string) => written.push(text) };
  };

  test('when the stream is a terminal, then each update rewrites one line and the end clears it', () => {
    const out = recorder(true);
    let clock = 0;
    const line = terminalProgress(out, 'packet', 'signatures', 100, () => clock);
    line.update({ phase: 'reading', done: 1, total: 4 });
    clock = 50;
    line.update({ phase: 'reading', done: 2, total: 4 }); // within 100 ms: skipped
    clock = 200;
    line.update({ phase: 'reading', done: 3, total: 4 });
    line.end();
    assert.deepEqual(out.written, ['\rpacket: 1 / 4 signatures (25%)\x1b[K', '\rpacket: 3 / 4 signatures (75%)\x1b[K', '\r\x1b[K']);
  });

  test('when the stream is not a terminal, then nothing is written at all', () => {
    const out = recorder(false);
    const line = terminalProgress(out, 'packet', 'signatures');
    line.update({ phase: 'reading', done: 1, total: 4 });
    line.end();
    assert.deepEqual(out.written, []);
  });
});
