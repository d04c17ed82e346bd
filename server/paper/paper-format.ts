import { AppError } from '../shared/errors.js';

/** The columns of a paper-signature CSV, in the order the documentation lists them. */
export const PAPER_COLUMNS = [
  { name: 'first_name', required: true },
  { name: 'last_name', required: true },
  { name: 'email', required: false },
  { name: 'country', required: true },
  { name: 'postcode', required: false },
  { name: 'collected_at', required: true },
  { name: 'collected_where', required: true },
  { name: 'language', required: false },
  { name: 'updates', required: false },
] as const;

export type PaperColumn = (typeof PAPER_COLUMNS)[number]['name'];

/** Why a row was not imported; `code` is a key under `paper.reasons` in the catalogue, the rest its variables. */
export interface Reason {
  code: string;
  column?: string;
  value?: string;
  line?: number;
  count?: number;
  expected?: number;
  to?: number;
  /** The values a column takes, listed for the reader. */
  choices?: string;
}

export interface ReportRow {
  line: number;
  reasons: Reason[];
}

export interface ImportReport {
  petition: { slug: string; title: string };
  bytes: number;
  accepted: number;
  acceptedLines: number[];
  duplicates: ReportRow[];
  invalid: ReportRow[];
}

/**
 * A file refused as a whole: nothing is imported. The message is English for logs and the JSON
 * fallback; pages and the CLI show `paper.errors.<key>` with `vars` instead.
 */
export class ImportRefused extends AppError {
  constructor(
    status: number,
    readonly key: string,
    message: string,
    override readonly vars: Record<string, string | number> = {},
  ) {
    super(status, `import_${key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}`, message);
  }
}

export const columnList = () => PAPER_COLUMNS.map((c) => (c.required ? c.name : `${c.name} (optional)`)).join(', ');

export const tooLarge = (maxMb: number) =>
  new ImportRefused(413, 'tooLarge', `The file is larger than ${maxMb} MB, the most one import takes. Split it into smaller files.`, { maxMb });
