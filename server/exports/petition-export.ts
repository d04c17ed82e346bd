import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditLog } from '../audit/audit-repository.js';
import { fileStamp } from '../dashboard/count-export.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { DataProtector } from '../shared/data-protector.js';
import { AppError } from '../shared/errors.js';
import type { SignatureSnapshotRepository } from '../signatures/index.js';
import { EXPORT_KINDS, type ExportKind } from './export-kinds.js';
import { CONTENT_TYPES, rowWriter, type ExportFormat, type Row } from './export-format.js';

interface Deps {
  petitions: PetitionRepository;
  signatures: Pick<SignatureSnapshotRepository, 'forExport'>;
  protector: DataProtector;
  audit: AuditLog;
  clock: () => Date;
  /** Counted signatures (the tally's total): the signatures an export expects to read before reading them. */
  counted: (petitionId: string) => Promise<number>;
}

export interface PreparedExport {
  filename: string;
  contentType: string;
  petitionId: string;
  /** The signatures expected, from the tally: a progress bar's total, not a promise. */
  expected: number;
  /**
   * Streams every row into `out` and records the export; `rows` is how many were written, and
   * `complete` false when `out` went away first. `onRead` hears the running count of signatures
   * read, one call per signature, whether or not it gave a row.
   */
  writeTo(out: Writable, actor: string, onRead?: (read: number) => void): Promise<{ rows: number; complete: boolean }>;
}

const FILTERS = { status: 'confirmed' };

/** A reader hanging up mid-download ends the pipeline with this; anything else is a real failure. */
const isGone = (error: unknown, out: Writable) => out.destroyed && (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';

/**
 * Exports of a petition's counted signatures, one kind at a time (export-kinds.ts says what each
 * shows), shared by the admin routes, the background jobs and the command line.
 */
export function createPetitionExport({ petitions, signatures, protector, audit, clock, counted }: Deps) {
  return {
    /**
     * Finds the petition first, so that a wrong slug is a clean 404 before a single byte is sent.
     * Country names are in `lang`. Who may ask for which kind is the caller's to check.
     */
    async prepare(kind: ExportKind, slug: string, format: ExportFormat, lang = 'en'): Promise<PreparedExport> {
      const petition = await petitions.findBySlug(slug);
      if (!petition) throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
      const { columns, toRow: rowOf } = EXPORT_KINDS[kind];
      return {
        filename: `${petition.slug}-${kind}-${fileStamp(clock())}.${format}`,
        contentType: CONTENT_TYPES[format],
        petitionId: petition.id,
        expected: await counted(petition.id),
        async writeTo(out, actor, onRead) {
          const toRow = rowOf(protector, lang);
          let read = 0;
          let rows = 0;
          const source = signatures.forExport(petition.id, (batch) => {
            const written: Row[] = [];
            for (const doc of batch) {
              read += 1;
              onRead?.(read);
              const row = toRow(doc);
              if (row) written.push(row);
            }
            rows += written.length;
            return written;
          });
          let complete = false;
          try {
            // pipeline carries backpressure from `out` back to the cursor, and destroys the cursor if `out` closes early.
            await pipeline(source, rowWriter(columns, format), out);
            complete = true;
          } catch (error) {
            if (!isGone(error, out)) throw error;
          } finally {
            // Even a broken-off export has shown personal data: it is recorded, marked as such.
            const details = { what: kind, format, filters: FILTERS, ...(complete ? {} : { aborted: true }) };
            await audit.record({ actor, action: 'export', petition: petition.slug, details, rows });
          }
          return { rows, complete };
        },
      };
    },
  };
}

export type PetitionExport = ReturnType<typeof createPetitionExport>;
