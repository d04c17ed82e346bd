import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ImportReport } from './paper-format.js';
import { lineRanges, reportLines, reportView } from './paper-report.js';

// A stand-in catalogue: the key and its variables, so the tests see what would be translated.
const t = (key: string, vars: Record<string, unknown> = {}) => `${key}${JSON.stringify(vars)}`;

const aReport = (overrides: Partial<ImportReport> = {}): ImportReport => ({
  petition: { slug: 's', title: 'T' },
  bytes: 100,
  accepted: 3,
  acceptedLines: [2, 3, 5],
  duplicates: [{ line: 4, reasons: [{ code: 'duplicateInFile', line: 2 }] }],
  invalid: [{ line: 6, reasons: [{ code: 'required', column: 'first_name' }, { code: 'emailInvalid' }] }],
  ...overrides,
});

describe('lineRanges', () => {
  test('when lines run on, then they collapse into ranges', () => {
    assert.deepEqual(lineRanges([2, 3, 4, 7, 9, 10]), ['2–4', '7', '9–10']);
    assert.deepEqual(lineRanges([5]), ['5']);
    assert.deepEqual(lineRanges([]), []);
  });
});

describe('reportView', () => {
  test('when a row has several reasons, then they are joined into one sentence for its line', () => {
    const view = reportView(t, aReport());
    assert.deepEqual(view.invalidRows.items, ['paper.report.line{"line":6,"reasons":"paper.reasons.required{\\"column\\":\\"first_name\\"}; paper.reasons.emailInvalid{}"}']);
    assert.equal(view.acceptedLines.text, '2–3, 5');
  });

  test('when more rows than the cap are listed, then only the cap is shown and the rest counted', () => {
    const invalid = Array.from({ length: 7 }, (_, i) => ({ line: i + 2, reasons: [{ code: 'emailInvalid' }] }));
    const view = reportView(t, aReport({ invalid, acceptedLines: [20, 22, 24, 26] }), 5);
    assert.equal(view.invalid, 7);
    assert.equal(view.invalidRows.items.length, 5);
    assert.equal(view.invalidRows.more, 2);
    assert.deepEqual(view.acceptedLines, { text: '20, 22, 24, 26', more: 0 });
  });
});

describe('reportLines', () => {
  test('when printed for the command line, then accepted ranges, duplicates and invalid rows come before the summary', () => {
    assert.deepEqual(reportLines(t, aReport()), [
      'paper.report.acceptedLines{"lines":"2–3, 5"}',
      'paper.report.duplicateLabel{} paper.report.line{"line":4,"reasons":"paper.reasons.duplicateInFile{\\"line\\":2}"}',
      'paper.report.invalidLabel{} paper.report.line{"line":6,"reasons":"paper.reasons.required{\\"column\\":\\"first_name\\"}; paper.reasons.emailInvalid{}"}',
      'paper.report.summary{"accepted":3,"duplicates":1,"invalid":1}',
    ]);
  });
});
