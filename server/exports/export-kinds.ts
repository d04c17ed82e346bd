import type { Permission } from '../accounts/user-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import type { SignatureForExport } from '../signatures/index.js';
import { COMMENT_COLUMNS, toCommentRow } from './comment-format.js';
import { SIGNATURE_COLUMNS, toSignatureRow, type Row } from './export-format.js';

/** What one kind of export of a petition's counted signatures shows, and who may ask for it. */
export interface ExportKindSpec {
  permission: Permission;
  columns: Row;
  /** A counted signature as this kind's row, or null when it has none (a signature without a comment). Country names in `lang`. */
  toRow(protector: DataProtector, lang: string): (doc: SignatureForExport) => Row | null;
}

export const EXPORT_KINDS = {
  signatures: { permission: 'exportSignatures', columns: SIGNATURE_COLUMNS, toRow: toSignatureRow },
  comments: { permission: 'readComments', columns: COMMENT_COLUMNS, toRow: toCommentRow },
} as const satisfies Record<string, ExportKindSpec>;

export type ExportKind = keyof typeof EXPORT_KINDS;
export const EXPORT_KIND_NAMES = Object.keys(EXPORT_KINDS) as ExportKind[];

export const isExportKind = (value: unknown): value is ExportKind => typeof value === 'string' && Object.hasOwn(EXPORT_KINDS, value);
