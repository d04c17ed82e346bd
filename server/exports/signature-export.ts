import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditLog } from '../audit/audit-repository.js';
import { fileStamp } from '../dashboard/count-export.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { DataProtector } from '../shared/data-protector.js';
import { AppError } from '../shared/errors.js';
import type { SignatureSnapshotRepository } from '../signatures/index.js';
import { CONTENT_TYPES, signatureWriter, toSignatureRow, type ExportFormat } from './export-format.js';

interface Deps {
  petitions: PetitionRepository;
  signatures: Pick<SignatureSnapshotRepository, 'forExport'>;
  protector: DataProtector;
  audit: AuditLog;
  clock: () => Date;
  /** Counted signatures (the tally's total): the rows an export expects before reading them. */
  counted: (petitionId: string) => Promise<number>;
}

export interface SignatureExportJob {
  filename: string;
  contentType: string;
  petitionId: string;
  /** The rows expected, from the tally: a progress bar's total, not a promise. */
  expected: number;
  /**
   * Streams every row into `out` and records the export; `complete` is false when `out` went away
   * first. `onRow` hears the running count as each row is read.
   */
  writeTo(out: Writable, actor: string, onRow?: (rows: number) => void): Promise<{ rows: number; complete: boolean }>;
}

const FILTERS = { status: 'confirmed' };

/** A reader hanging up mid-download ends the pipeline with this; anything else is a real failure. */
const isGone = (error: unknown, out: Writable) => out.destroyed && (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';

/** The signatures export, shared by the admin route and the command line. */
export function createSignatureExport({ petitions, signatures, protector, audit, clock, counted }: Deps) {
  return {
    /**
     * Finds the petition first, so that a wrong slug is a clean 404 before a single byte is sent.
     * Country names are in `lang`.
     */
    async prepare(slug: string, format: ExportFormat, lang = 'en'): Promise<SignatureExportJob> {
      const petition = await petitions.findBySlug(slug);
      if (!petition) throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
      return {
        filename: `${petition.slug}-signatures-${fileStamp(clock())}.${format}`,
        contentType: CONTENT_TYPES[format],
        petitionId: petition.id,
        expected: await counted(petition.id),
        async writeTo(out, actor, onRow) {
          const toRow = toSignatureRow(protector, lang);
          let rows = 0;
          const source = signatures.forExport(petition.id, (batch) =>
            batch.map((doc) => {
              rows += 1;
              onRow?.(rows);
              return toRow(doc);
            }),
          );
          let complete = false;
          try {
            // pipeline carries backpressure from `out` back to the cursor, and destroys the cursor if `out` closes early.
            await pipeline(source, signatureWriter(format), out);
            complete = true;
          } catch (error) {
            if (!isGone(error, out)) throw error;
          } finally {
            // Even a broken-off export has shown personal data: it is recorded, marked as such.
            const details = { what: 'signatures', format, filters: FILTERS, ...(complete ? {} : { aborted: true }) };
            await audit.record({ actor, action: 'export', petition: petition.slug, details, rows });
          }
          return { rows, complete };
        },
      };
    },
  };
}

export type SignatureExport = ReturnType<typeof createSignatureExport>;
