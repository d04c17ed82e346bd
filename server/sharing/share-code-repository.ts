import { Schema, type Connection } from 'mongoose';
import { withRetry } from '../db/transient.js';
import { isDuplicateKey } from '../shared/db-errors.js';

/**
 * One counter per personal share code that brought at least one counted signature: `{_id: code,
 * petitionId, count}`, and nothing that names the sharer or the people they brought (both are
 * sealed in the signatures). `marks` holds, only while a confirmation is being counted, a random
 * mark of it (not its journal id), so that a retried count is not counted twice.
 */
const shareCodeSchema = new Schema({ _id: String, petitionId: String, count: Number, marks: [String] }, { collection: 'share_codes', versionKey: false });

export interface CodeCount {
  code: string;
  count: number;
}

export function createShareCodeRepository(connection: Connection) {
  const Codes = connection.model('ShareCode', shareCodeSchema);

  return {
    init: () => Codes.createIndexes(),
    /**
     * +1 for a signature the code brought, creating its counter on the first, at most once per `mark`:
     * the filter skips a counter that already carries the mark, and the upsert that then tries to create
     * it again meets the unique `_id`. So does a code of another petition (a link edited by hand): it is
     * not counted. Found by `_id` (docs/embedded-database.md). A withdrawal (`by` -1) only moves a counter that exists.
     */
    async credit(code: string, petitionId: string, mark: string, by: 1 | -1 = 1): Promise<void> {
      try {
        await withRetry(() => Codes.collection.updateOne({ _id: code as never, petitionId, marks: { $ne: mark } }, { $inc: { count: by }, $push: { marks: mark as never } }, { upsert: by > 0 }));
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
    },
    /** Moves an existing counter of this petition (moderation); a code that never brought a counted signature here has none. */
    async add(code: string, petitionId: string, by: number): Promise<void> {
      await withRetry(() => Codes.collection.updateOne({ _id: code as never, petitionId }, { $inc: { count: by } }));
    },
    /** The mark goes once its confirmation's journal entry is closed: nothing can count it again. */
    async unmark(code: string, mark: string): Promise<void> {
      await withRetry(() => Codes.collection.updateOne({ _id: code as never }, { $pull: { marks: mark as never } }));
    },
    async countOf(code: string): Promise<number> {
      const doc = await withRetry(() => Codes.collection.findOne<{ count?: number }>({ _id: code as never }, { projection: { count: 1 } }));
      return doc?.count ?? 0;
    },
    /**
     * The petition's codes that brought the most signatures. On the embedded database this reads every
     * document of `share_codes` (one per code that brought someone, of every petition): see
     * docs/embedded-database.md#access-paths.
     */
    async top(petitionId: string, limit: number): Promise<CodeCount[]> {
      const docs = await withRetry(() =>
        Codes.collection
          .find<{ _id: string; count: number }>({ petitionId, count: { $gt: 0 } }, { projection: { count: 1 } })
          .sort({ count: -1, _id: 1 })
          .limit(limit)
          .toArray(),
      );
      return docs.map((d) => ({ code: d._id, count: d.count }));
    },
  };
}

export type ShareCodeRepository = ReturnType<typeof createShareCodeRepository>;
