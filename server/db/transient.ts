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

export interface InsertOutcome {
  /** Indexes of documents whose id was already taken. */
  duplicates: Set<number>;
  /**
   * Duplicates met after a whole-batch failure: the failed attempt may have written them itself
   * before its answer was lost, so the caller must look (e.g. compare a field only it wrote).
   */
  uncertain: Set<number>;
}

/**
 * Inserts every document, each once: an unordered insertMany reports each failed document by index,
 * so a batch that met a locked database retries exactly the documents that were not written, and
 * a duplicate id is an answer (already there), not a failure.
 */
export async function insertEach(collection: Collection, docs: object[], options: RetryOptions = {}): Promise<InsertOutcome> {
  const outcome: InsertOutcome = { duplicates: new Set(), uncertain: new Set() };
  let pending = docs.map((_, index) => index);
  let maybeWritten = new Set<number>();
  await withRetry(async () => {
    if (pending.length === 0) return;
    try {
      await collection.insertMany(pending.map((i) => docs[i]!), { ordered: false });
      pending = [];
    } catch (error) {
      const reported = (error as { writeErrors?: WriteError | WriteError[] }).writeErrors;
      const writeErrors = reported === undefined ? [] : ([] as WriteError[]).concat(reported);
      if (writeErrors.length === 0) {
        maybeWritten = new Set([...maybeWritten, ...pending]);
        throw error;
      }
      const failed: number[] = [];
      for (const w of writeErrors) {
        const index = pending[w.index]!;
        if (isDuplicateKey(w)) {
          outcome.duplicates.add(index);
          if (maybeWritten.has(index)) outcome.uncertain.add(index);
        } else if (isTransient({ message: w.errmsg ?? w.message, code: w.code })) failed.push(index);
        else throw error;
      }
      pending = failed;
      if (failed.length > 0) throw new TransientInsertError();
    }
  }, options);
  return outcome;
}

class TransientInsertError extends Error {
  override message = 'database is locked: some documents of the batch are still to be written';
}
