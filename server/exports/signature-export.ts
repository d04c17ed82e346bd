import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditLog } from '../audit/audit-repository.js';
import { fileStamp } from '../dashboard/count-export.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { DataProtector } from '../shared/data-protector.js';
import { AppError } from '../shared/errors.js';
import { CONTENT_TYPES, signatureWriter, toSignatureRow, type ExportFormat } from './export-format.js';
import type { SignatureExportRepository } from './signature-export-repository.js';

interface Deps {
  petitions: PetitionRepository;
  repo: SignatureExportRepository;
  protector: DataProtector;
  audit: AuditLog;
  clock: () => Date;
}

export interface SignatureExportJob {
  filename: string;
  contentType: string;
  /** Streams every row into `out` and records the export; `complete` is false when `out` went away first. */
  writeTo(out: Writable, actor: string): Promise<{ rows: number; complete: boolean }>;
}

const FILTERS = { status: 'confirmed' };

/** A reader hanging up mid-download ends the pipeline with this; anything else is a real failure. */
const isGone = (error: unknown, out: Writable) => out.destroyed && (error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE';

/** The signatures export, shared by the admin route and the command line. */
export function createSignatureExport({ petitions, repo, protector, audit, clock }: Deps) {
  const toRow = toSignatureRow(protector);

  return {
    /** Finds the petition first, so that a wrong slug is a clean 404 before a single byte is sent. */
    async prepare(slug: string, format: ExportFormat): Promise<SignatureExportJob> {
      const petition = await petitions.findBySlug(slug);
      if (!petition) throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
      return {
        filename: `${petition.slug}-signatures-${fileStamp(clock())}.${format}`,
        contentType: CONTENT_TYPES[format],
        async writeTo(out, actor) {
          let rows = 0;
          const source = repo.streamCounted(petition.id, (doc) => {
            rows += 1;
            return toRow(doc);
          });
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
