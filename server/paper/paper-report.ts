import type { ImportReport, Reason, ReportRow } from './paper-format.js';

export type Translate = (key: string, vars?: Record<string, unknown>) => string;

/** Pages list at most this many rows of each kind; the CLI prints them all. */
export const LISTED_ROWS = 500;

export const reasonText = (t: Translate, reason: Reason): string => {
  const { code, ...vars } = reason;
  return t(`paper.reasons.${code}`, vars);
};

/** "line 7: country 'Narnia' is not a country; email is not a valid address" */
export const rowText = (t: Translate, row: ReportRow): string =>
  t('paper.report.line', { line: row.line, reasons: row.reasons.map((r) => reasonText(t, r)).join('; ') });

/** Sorted line numbers as ranges: [2, 3, 4, 7, 9, 10] → ["2–4", "7", "9–10"]. */
export function lineRanges(lines: number[]): string[] {
  const ranges: string[] = [];
  let start = lines[0];
  let previous = start;
  for (const line of [...lines.slice(1), undefined]) {
    if (line !== undefined && previous !== undefined && line === previous + 1) {
      previous = line;
      continue;
    }
    if (start !== undefined) ranges.push(start === previous ? String(start) : `${start}–${previous}`);
    start = line;
    previous = line;
  }
  return ranges;
}

const capped = <T>(items: T[], max: number) => ({ items: items.slice(0, max), more: Math.max(0, items.length - max) });

/** What the report page shows: counts, then the listed rows as sentences, each list capped. */
export function reportView(t: Translate, report: ImportReport, max = LISTED_ROWS) {
  const accepted = capped(lineRanges(report.acceptedLines), max);
  const duplicates = capped(report.duplicates, max);
  const invalid = capped(report.invalid, max);
  return {
    accepted: report.accepted,
    duplicate: report.duplicates.length,
    invalid: report.invalid.length,
    acceptedLines: { text: accepted.items.join(', '), more: accepted.more },
    duplicateRows: { items: duplicates.items.map((row) => rowText(t, row)), more: duplicates.more },
    invalidRows: { items: invalid.items.map((row) => rowText(t, row)), more: invalid.more },
  };
}

/** The CLI's report: every listed row, then the summary line. */
export function reportLines(t: Translate, report: ImportReport): string[] {
  const ranges = lineRanges(report.acceptedLines);
  return [
    ...(ranges.length ? [t('paper.report.acceptedLines', { lines: ranges.join(', ') })] : []),
    ...report.duplicates.map((row) => `${t('paper.report.duplicateLabel')} ${rowText(t, row)}`),
    ...report.invalid.map((row) => `${t('paper.report.invalidLabel')} ${rowText(t, row)}`),
    t('paper.report.summary', { accepted: report.accepted, duplicates: report.duplicates.length, invalid: report.invalid.length }),
  ];
}
