import type { Collection } from 'mongoose';
import { isDuplicateKey } from '../shared/db-errors.js';

/**
 * Failures after which the database has certainly not applied the operation, so sending it again
 * is safe: SQLite busy or locked (FerretDB), and MongoDB's own retryable answers (a primary stepping
 * down or shutting down). A dropped connection is not among them: a write may have landed before
 * the reply was lost, so it is the caller's to resolve (see docs/embedded-database.md).
 */
export function isTransient(error: unknown): boolean {
  const e = error as { message?: unknown; code?: unknown; errorLabels?: unknown; errorLabelSet?: Set<string> } | null;
  if (!e) return false;
  if (typeof e.message === 'string' && /database (?:table )?is locked|SQLITE_BUSY|SQLITE_LOCKED/i.test(e.message)) return true;
  const labels = e.errorLabelSet ?? new Set(Array.isArray(e.errorLabels) ? (e.errorLabels as string[]) : []);
  if (labels.has('RetryableWriteError')) return true;
  return typeof e.code === 'number' && RETRYABLE_CODES.has(e.code);
}

// NotWritablePrimary, NotPrimaryNoSecondaryOk, NotPrimaryOrSecondary, InterruptedAtShutdown,
// InterruptedDueToReplStateChange, PrimarySteppedDown, ShutdownInProgress.
const RETRYABLE_CODES = new Set([10107, 13435, 13436, 11600, 11602, 189, 91]);

/** The database cannot be reached at all (down, restarting, network gone): answer 503, not 500. */
export function isUnavailable(error: unknown): boolean {
  const e = error as { name?: unknown; errorResponse?: unknown; cause?: unknown } | null;
  if (!e) return false;
  if (typeof e.name === 'string' && UNREACHABLE.test(e.name)) return true;
  // A bulk write (insertMany) wraps the network error it met.
  return (e.errorResponse !== undefined && isUnavailable(e.errorResponse)) || (e.cause !== undefined && e.cause !== error && isUnavailable(e.cause));
}

const UNREACHABLE =
  /^(?:MongoNetworkError|MongoNetworkTimeoutError|MongoServerSelectionError|MongoNotConnectedError|MongoTopologyClosedError|PoolClearedError|PoolClearedOnNetworkError|MongoPoolClearedError)$/;

export interface RetryOptions {
  attempts?: number;
  baseMs?: number;
  maxMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `operation` again after a transient failure, with jittered exponential backoff; other failures pass through. */
export async function withRetry<T>(operation: () => Promise<T>, { attempts = 8, baseMs = 10, maxMs = 1000 }: RetryOptions = {}): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (attempt >= attempts || !isTransient(error)) throw error;
      await sleep(Math.random() * Math.min(maxMs, baseMs * 2 ** attempt));
    }
  }
}

type WriteError = { index: number; code: number; errmsg?: string; message?: string };

export interface InsertOptions<D> extends RetryOptions {
  /**
   * A duplicate met after a whole-batch failure may be our own write whose answer was lost. Given
   * the stored document and ours, says whether it is ours (e.g. a field only we wrote); without it
   * such a document counts as a duplicate.
   */
  isOurs?: (stored: Record<string, unknown>, doc: D) => boolean;
}

/**
 * Inserts every document, each once: an unordered insertMany reports each failed document by index,
 * so a batch that met a locked database retries exactly the documents that were not written, and
 * a duplicate id is an answer (already there), not a failure. Returns the duplicates' indexes.
 */
export async function insertEach<D extends { _id: unknown }>(collection: Collection, docs: D[], { isOurs, ...retry }: InsertOptions<D> = {}): Promise<Set<number>> {
  const duplicates = new Set<number>();
  const uncertain: number[] = [];
  let pending = docs.map((_, index) => index);
  const maybeWritten = new Set<number>();
  await withRetry(async () => {
    if (pending.length === 0) return;
    try {
      await collection.insertMany(pending.map((i) => docs[i]!) as never[], { ordered: false });
      pending = [];
    } catch (error) {
      const reported = (error as { writeErrors?: WriteError | WriteError[] }).writeErrors;
      const writeErrors = reported === undefined ? [] : ([] as WriteError[]).concat(reported);
      if (writeErrors.length === 0) {
        for (const index of pending) maybeWritten.add(index);
        throw error;
      }
      const failed: number[] = [];
      for (const w of writeErrors) {
        const index = pending[w.index]!;
        if (isDuplicateKey(w)) {
          duplicates.add(index);
          if (maybeWritten.has(index)) uncertain.push(index);
        } else if (isTransient({ message: w.errmsg ?? w.message, code: w.code })) failed.push(index);
        else throw error;
      }
      pending = failed;
      if (failed.length > 0) throw new TransientInsertError();
    }
  }, retry);
  if (isOurs) {
    for (const index of uncertain) {
      const stored = await withRetry(() => collection.findOne({ _id: docs[index]!._id as never }));
      if (stored && isOurs(stored, docs[index]!)) duplicates.delete(index);
    }
  }
  return duplicates;
}

class TransientInsertError extends Error {
  override message = 'database is locked: some documents of the batch are still to be written';
}
