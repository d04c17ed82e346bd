import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AuditLog } from '../audit/audit-repository.js';
import type { FileStore } from '../files/file-repository.js';
import type { FileSealer } from '../files/sealed-stream.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import { AppError, NotFoundError } from '../shared/errors.js';
import { createProgressSaver, type JobStatus } from '../shared/progress.js';
import type { ExportFormat } from './export-format.js';
import type { ExportJob, ExportJobRepository } from './export-job-repository.js';
import type { ExportKind } from './export-kinds.js';
import type { PetitionExport, PreparedExport } from './petition-export.js';

interface Deps {
  petitions: PetitionRepository;
  petitionExport: PetitionExport;
  repo: ExportJobRepository;
  files: FileStore;
  sealer: FileSealer;
  audit: AuditLog;
  workRoot: string;
  clock: () => Date;
  onError: (error: unknown, jobId: string) => void;
}

/** A prepared file of personal data waits this long for its download, then is removed unread. */
export const EXPORT_TTL_MS = 3600_000;
const ABANDONED_MS = 6 * 3600_000;
const REPORT_EVERY = 500;

export function exportStatus(job: ExportJob): JobStatus {
  switch (job.status) {
    case 'building':
      return { state: 'building', ...job.progress };
    case 'ready':
      return { state: 'ready', phase: 'done', done: job.rows, total: job.rows };
    case 'failed':
      return { state: 'failed', phase: 'failed', done: 0, total: 0, error: job.error ?? '' };
    default:
      return { state: 'removed', phase: job.status, done: job.rows, total: job.rows };
  }
}

/**
 * Exports (signatures, comments) prepared in the background, so that a long one shows its progress: the rows
 * are written to a file sealed under the data key (on the work disk, then in the files bucket), and
 * the file is removed once downloaded, or after EXPORT_TTL_MS.
 */
export function createExportJobs(deps: Deps) {
  const { repo, files, sealer, clock } = deps;
  const running = new Set<Promise<unknown>>();
  const timers = new Set<NodeJS.Timeout>();

  async function removeFile(job: ExportJob, status: 'downloaded' | 'expired') {
    if (job.fileId) await files.remove(job.fileId);
    await repo.markRemoved(job.id, status);
  }

  function expireLater(jobId: string) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      void repo
        .find(jobId)
        .then((job) => (job?.status === 'ready' ? removeFile(job, 'expired') : undefined))
        .catch((error: unknown) => deps.onError(error, jobId));
    }, EXPORT_TTL_MS);
    timer.unref();
    timers.add(timer);
  }

  async function build(job: ExportJob, prepared: PreparedExport) {
    const saver = createProgressSaver((progress) => repo.saveProgress(job.id, progress));
    await mkdir(deps.workRoot, { recursive: true, mode: 0o700 });
    const work = path.join(deps.workRoot, `${job.id}.sealed`);
    try {
      const sealed = sealer.seal(job.id);
      const written = pipeline(sealed, createWriteStream(work, { mode: 0o600 }));
      written.catch(() => undefined); // awaited below; a failure while reading ends both pipelines
      const { rows } = await prepared.writeTo(sealed, job.createdBy, (done) => {
        if (done % REPORT_EVERY === 0) saver.report({ phase: 'reading', done, total: Math.max(done, prepared.expected) });
      });
      await written;
      saver.report({ phase: 'storing', done: rows, total: rows });
      const stored = await files.save(`${job.id}.sealed`, 'application/octet-stream', createReadStream(work), { exportJobId: job.id });
      await saver.settle();
      await repo.markReady(job.id, { rows, fileId: stored.id, bytes: sealed.plainBytes, progress: { phase: 'done', done: rows, total: rows } });
      expireLater(job.id);
    } catch (error) {
      await saver.settle();
      await repo.markFailed(job.id, error instanceof AppError ? error.message : 'The export could not be prepared; the server log has the details.');
      throw error;
    } finally {
      await rm(work, { force: true });
    }
  }

  /** Removes expired files, and fails jobs a stopped process left building (other instances' recent work is left alone). */
  async function sweep(): Promise<void> {
    const now = clock();
    for (const job of await repo.stale(now, new Date(now.getTime() - ABANDONED_MS))) {
      if (job.status === 'building') await repo.markFailed(job.id, 'interrupted');
      else await removeFile(job, 'expired');
    }
  }

  return {
    /**
     * Starts preparing an export of `kind` in `format` for `actor`, country names in `lang`; it is
     * built in the background. Whether `actor` may have that kind is the caller's to check.
     */
    async start(slug: string, actor: string, { kind = 'signatures', format = 'csv', lang = 'en' }: { kind?: ExportKind; format?: ExportFormat; lang?: string } = {}): Promise<ExportJob> {
      const prepared = await deps.petitionExport.prepare(kind, slug, format, lang);
      await sweep();
      const now = clock();
      const job: ExportJob = {
        id: `ex_${randomBytes(10).toString('hex')}`,
        kind,
        format,
        petitionId: prepared.petitionId,
        slug,
        filename: prepared.filename,
        createdBy: actor,
        createdAt: now,
        expiresAt: new Date(now.getTime() + EXPORT_TTL_MS),
        status: 'building',
        progress: { phase: 'reading', done: 0, total: prepared.expected },
        rows: 0,
        fileId: null,
        bytes: 0,
        error: null,
      };
      await repo.insert(job);
      const work = build(job, prepared)
        .catch((error: unknown) => deps.onError(error, job.id))
        .finally(() => running.delete(work));
      running.add(work);
      return job;
    },
    /** The petition and `actor`'s own exports of it: a prepared file is for the person who asked. */
    async list(slug: string, actor: string) {
      const petition = await deps.petitions.findBySlug(slug);
      if (!petition) throw new NotFoundError('There is no petition at this address.');
      return { petition, jobs: await repo.list(petition.id, actor) };
    },
    async find(slug: string, id: string, actor: string): Promise<ExportJob> {
      const job = await repo.find(id);
      if (job?.slug !== slug || job.createdBy !== actor) throw new NotFoundError('There is no such export.');
      return job;
    },
    /**
     * Opens the sealed file into `out`, after `begin` (which sets the headers) once the export is
     * known to be downloadable; when it has all arrived, the file is removed.
     */
    async download(job: ExportJob, out: Writable, begin: () => void): Promise<void> {
      if (job.status === 'building') throw new AppError(409, 'export_not_ready', 'This export is not ready yet.');
      if (job.status !== 'ready' || !job.fileId || job.expiresAt <= clock()) throw new AppError(410, 'export_gone', 'This export has been downloaded or has expired; prepare a new one.');
      begin();
      await pipeline(await files.open(job.fileId), sealer.open(job.id), out);
      await removeFile(job, 'downloaded');
      await deps.audit.record({ actor: job.createdBy, action: 'export.download', petition: job.slug, details: { what: job.kind, format: job.format, exportId: job.id }, rows: job.rows });
    },
    sweep,
    /** Resolves when every background export has ended (tests, shutdown). */
    async settle(): Promise<void> {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      while (running.size > 0) await Promise.allSettled([...running]);
    },
  };
}

export type ExportJobs = ReturnType<typeof createExportJobs>;
