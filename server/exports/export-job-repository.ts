import { Schema, type Connection } from 'mongoose';
import type { Progress } from '../shared/progress.js';
import type { ExportFormat } from './export-format.js';
import type { ExportKind } from './export-kinds.js';

export type ExportJobStatus = 'building' | 'ready' | 'failed' | 'downloaded' | 'expired';

/** An export (signatures or comments) prepared in the background for one person, then downloaded once. */
export interface ExportJob {
  id: string;
  kind: ExportKind;
  format: ExportFormat;
  petitionId: string;
  slug: string;
  filename: string;
  createdBy: string;
  createdAt: Date;
  /** After this the file is removed, downloaded or not. */
  expiresAt: Date;
  status: ExportJobStatus;
  progress: Progress;
  rows: number;
  /** The sealed file in the files bucket, and its plaintext size; null before ready and after removal. */
  fileId: string | null;
  bytes: number;
  error: string | null;
}

const jobSchema = new Schema(
  {
    _id: String,
    kind: String,
    format: String,
    petitionId: { type: String, required: true },
    slug: { type: String, required: true },
    filename: { type: String, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    expiresAt: { type: Date, required: true },
    status: { type: String, required: true },
    progress: new Schema({ phase: String, done: Number, total: Number }, { _id: false }),
    rows: Number,
    fileId: String,
    bytes: Number,
    error: String,
  },
  { collection: 'export_jobs', versionKey: false },
);

type JobDoc = Omit<ExportJob, 'id' | 'kind' | 'format'> & { _id: string; kind?: ExportKind; format?: ExportFormat };
// Jobs stored before there were kinds and formats were signatures CSVs.
const toJob = ({ _id, ...rest }: JobDoc): ExportJob => ({ ...rest, id: _id, kind: rest.kind ?? 'signatures', format: rest.format ?? 'csv', fileId: rest.fileId ?? null, error: rest.error ?? null, rows: rest.rows ?? 0, bytes: rest.bytes ?? 0 });

// A handful of jobs per petition at a time (each is removed within hours), so filters beside _id scan little.
export function createExportJobRepository(connection: Connection) {
  const Jobs = connection.model('ExportJob', jobSchema);
  const set = async (id: string, fields: Partial<Omit<ExportJob, 'id'>>) => {
    await Jobs.findOneAndUpdate({ _id: id }, { $set: fields }).lean();
  };
  return {
    async insert(job: ExportJob): Promise<void> {
      const { id, ...rest } = job;
      await Jobs.collection.insertOne({ _id: id as never, ...rest });
    },
    async find(id: string): Promise<ExportJob | null> {
      const doc = await Jobs.findOne({ _id: id }).lean<JobDoc>();
      return doc ? toJob(doc) : null;
    },
    /** One person's jobs for a petition, newest first. */
    async list(petitionId: string, createdBy: string): Promise<ExportJob[]> {
      const docs = await Jobs.find({ petitionId, createdBy }).lean<JobDoc[]>();
      return docs.map(toJob).sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },
    /** Jobs whose file should be gone: expired, or left building by a process that stopped. */
    async stale(now: Date, abandonedBefore: Date): Promise<ExportJob[]> {
      const docs = await Jobs.find({ $or: [{ status: 'ready', expiresAt: { $lt: now } }, { status: 'building', createdAt: { $lt: abandonedBefore } }] }).lean<JobDoc[]>();
      return docs.map(toJob);
    },
    saveProgress: (id: string, progress: Progress) => set(id, { progress }),
    markReady: (id: string, fields: Pick<ExportJob, 'rows' | 'fileId' | 'bytes' | 'progress'>) => set(id, { status: 'ready', ...fields }),
    markFailed: (id: string, error: string) => set(id, { status: 'failed', error }),
    /** The file is gone: after its download, or once expired. */
    markRemoved: (id: string, status: 'downloaded' | 'expired') => set(id, { status, fileId: null }),
  };
}

export type ExportJobRepository = ReturnType<typeof createExportJobRepository>;
