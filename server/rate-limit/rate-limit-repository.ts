import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { Schema, type Connection } from 'mongoose';
import { withRetry } from '../db/transient.js';

const hitSchema = new Schema({ _id: String, hits: Number, expiresAt: Date }, { collection: 'rate_limits', versionKey: false });
hitSchema.index({ expiresAt: 1 });

const hitsModel = (connection: Connection) => connection.models.RateLimitHit ?? connection.model('RateLimitHit', hitSchema);

interface Entry {
  window: number;
  known: number;
  unflushed: number;
}

/**
 * express-rate-limit store whose counters live in the database, so several app instances share
 * them. Hits are counted in memory at once and written in one pass every `flushMs`: a request never
 * waits for the database, and other instances see our hits within that interval. Keys (client
 * addresses) are stored only as keyed hashes; windows are expired in code, not by a TTL index.
 */
export class DatabaseStore implements Store {
  localKeys = false;
  prefix: string;
  private windowMs = 60_000;
  private readonly entries = new Map<string, Entry>();
  private readonly Hits;
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private lastCleanup = 0;

  constructor(
    connection: Connection,
    private readonly options: { prefix: string; hashKey: (key: string) => string; flushMs?: number },
  ) {
    this.prefix = options.prefix;
    this.Hits = hitsModel(connection);
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
    this.timer = setInterval(() => void this.flush(), this.options.flushMs ?? 250);
    this.timer.unref();
  }

  private id(key: string, window: number) {
    return `${this.prefix}:${this.options.hashKey(key)}:${window}`;
  }

  private entry(key: string): Entry {
    const window = Math.floor(Date.now() / this.windowMs);
    let entry = this.entries.get(key);
    if (!entry || entry.window !== window) {
      entry = { window, known: 0, unflushed: 0 };
      this.entries.set(key, entry);
    }
    return entry;
  }

  private info(entry: Entry): ClientRateLimitInfo {
    return { totalHits: entry.known + entry.unflushed, resetTime: new Date((entry.window + 1) * this.windowMs) };
  }

  get(key: string): ClientRateLimitInfo {
    return this.info(this.entry(key));
  }

  increment(key: string): ClientRateLimitInfo {
    const entry = this.entry(key);
    entry.unflushed += 1;
    return this.info(entry);
  }

  decrement(key: string): void {
    this.entry(key).unflushed -= 1;
  }

  resetKey(key: string): void {
    const entry = this.entry(key);
    this.entries.delete(key);
    void this.Hits.deleteOne({ _id: this.id(key, entry.window) }).catch(() => undefined);
  }

  flush(): Promise<void> {
    this.flushing ??= this.writeAll().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  private async writeAll() {
    const now = Date.now();
    const current = Math.floor(now / this.windowMs);
    for (const [key, entry] of this.entries) {
      // Only keys with new hits are written (and their count from other instances read back in the
      // same pass): rewriting every idle key each pass cost two commands per key, four times a second.
      if (entry.unflushed === 0) {
        if (entry.window < current) this.entries.delete(key);
        continue;
      }
      const n = entry.unflushed;
      try {
        // updateOne + findOne by _id rather than findOneAndUpdate: FerretDB 1.x filters both in SQL.
        const _id = this.id(key, entry.window) as never;
        await this.Hits.collection.updateOne({ _id }, { $inc: { hits: n }, $setOnInsert: { expiresAt: new Date((entry.window + 2) * this.windowMs) } }, { upsert: true });
        const doc = await this.Hits.collection.findOne({ _id });
        entry.unflushed -= n;
        entry.known = typeof doc?.hits === 'number' ? doc.hits : entry.known + n;
      } catch {
        // keep the hits in memory and try again on the next pass
      }
    }
    if (now - this.lastCleanup > this.windowMs) {
      this.lastCleanup = now;
      await this.Hits.deleteMany({ expiresAt: { $lt: new Date(now) } }).catch(() => undefined);
    }
  }

  async shutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }
}

export interface FailureCount {
  failures: number;
  lastAt: Date | null;
}

/**
 * Failures counted per key (sign-in attempts), in the same collection as the limiter's hits and
 * expired by the same cleanup. Unlike DatabaseStore each failure is written at once: failures are
 * few, and every instance must see one before the next attempt. A count is forgotten `memoryMs`
 * after its last failure, so a client that keeps failing keeps its count.
 */
export function createFailureCounter(connection: Connection, options: { prefix: string; hashKey: (key: string) => string; memoryMs: number }) {
  const Hits = hitsModel(connection).collection;
  const id = (key: string) => `${options.prefix}:${options.hashKey(key)}` as never;
  const read = async (key: string, now: Date): Promise<FailureCount> => {
    const doc = await withRetry(() => Hits.findOne({ _id: id(key) }));
    const live = doc && doc.expiresAt instanceof Date && doc.expiresAt > now;
    return live ? { failures: typeof doc.hits === 'number' ? doc.hits : 0, lastAt: doc.lastAt instanceof Date ? doc.lastAt : null } : { failures: 0, lastAt: null };
  };
  return {
    read,
    async add(key: string, now: Date): Promise<FailureCount> {
      const _id = id(key);
      // A forgotten count starts again from one (the periodic cleanup may not have removed it yet).
      await withRetry(() => Hits.deleteOne({ _id, expiresAt: { $lte: now } }));
      await withRetry(() => Hits.updateOne({ _id }, { $inc: { hits: 1 }, $set: { lastAt: now, expiresAt: new Date(now.getTime() + options.memoryMs) } }, { upsert: true }));
      return read(key, now);
    },
    async clear(key: string): Promise<void> {
      await withRetry(() => Hits.deleteOne({ _id: id(key) }));
    },
  };
}

export type FailureCounter = ReturnType<typeof createFailureCounter>;
