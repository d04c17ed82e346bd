import { createHash } from 'node:crypto';
import session, { type SessionData } from 'express-session';
import { Schema, type Connection } from 'mongoose';
import { withRetry } from '../db/transient.js';

// Sessions live in the database so every app instance sees them. The id is stored only as its
// SHA-256: whoever reads the database cannot take over a live session.
const sessionSchema = new Schema({ _id: String, data: String, expiresAt: Date }, { collection: 'sessions', versionKey: false });

const hashId = (sid: string) => createHash('sha256').update(sid).digest('base64url');

export function createSessionRepository(connection: Connection) {
  const Sessions = connection.model('Session', sessionSchema);
  return {
    async find(sid: string, now: Date): Promise<string | null> {
      const doc = await withRetry(() => Sessions.collection.findOne({ _id: hashId(sid) as never }));
      return doc && (doc.expiresAt as Date) > now ? (doc.data as string) : null;
    },
    async save(sid: string, data: string, expiresAt: Date): Promise<void> {
      await withRetry(() => Sessions.collection.replaceOne({ _id: hashId(sid) as never }, { data, expiresAt }, { upsert: true }));
    },
    async touch(sid: string, expiresAt: Date): Promise<void> {
      await withRetry(() => Sessions.collection.findOneAndUpdate({ _id: hashId(sid) as never }, { $set: { expiresAt } }));
    },
    async delete(sid: string): Promise<void> {
      await withRetry(() => Sessions.collection.deleteOne({ _id: hashId(sid) as never }));
    },
    async deleteExpired(before: Date): Promise<number> {
      return (await Sessions.collection.deleteMany({ expiresAt: { $lt: before } })).deletedCount;
    },
  };
}

export type SessionRepository = ReturnType<typeof createSessionRepository>;

type Callback = (error?: unknown, value?: SessionData | null) => void;

/** express-session's store interface over the repository. */
export class DatabaseSessionStore extends session.Store {
  // Touching on every request would be a write per page view; once a minute keeps the idle timeout within a minute.
  private lastTouch = new Map<string, number>();

  constructor(
    private readonly repo: SessionRepository,
    private readonly idleMs: number,
    private readonly clock: () => Date,
  ) {
    super();
  }

  private expiry(sess: SessionData) {
    return sess.cookie?.expires ? new Date(sess.cookie.expires) : new Date(this.clock().getTime() + this.idleMs);
  }

  override get(sid: string, callback: Callback) {
    this.repo.find(sid, this.clock()).then(
      (data) => callback(null, data ? (JSON.parse(data) as SessionData) : null),
      (error: unknown) => callback(error),
    );
  }

  override set(sid: string, sess: SessionData, callback?: (error?: unknown) => void) {
    this.lastTouch.set(sid, Date.now());
    this.repo.save(sid, JSON.stringify(sess), this.expiry(sess)).then(() => callback?.(), (error: unknown) => callback?.(error));
  }

  override touch(sid: string, sess: SessionData, callback?: () => void) {
    const last = this.lastTouch.get(sid) ?? 0;
    if (Date.now() - last < 60_000) return callback?.();
    this.lastTouch.set(sid, Date.now());
    if (this.lastTouch.size > 10_000) this.lastTouch.clear();
    this.repo.touch(sid, this.expiry(sess)).then(() => callback?.(), () => callback?.());
  }

  override destroy(sid: string, callback?: (error?: unknown) => void) {
    this.lastTouch.delete(sid);
    this.repo.delete(sid).then(() => callback?.(), (error: unknown) => callback?.(error));
  }
}
