import { Schema, type Connection } from 'mongoose';
import { withRetry } from '../db/transient.js';
import { isDuplicateKey } from '../shared/db-errors.js';
import type { Tally } from './tally-service.js';

// One small document per petition, `_id` = petition id, apart from the tally document: publishing
// never writes the tally (docs/embedded-database.md: its writes go through one writer per petition).
const publishedSchema = new Schema(
  {
    _id: String,
    tally: { type: Schema.Types.Mixed, required: true },
    publishedAt: { type: Date, required: true },
  },
  { collection: 'published_tallies', versionKey: false, minimize: false },
);

export interface PublishedTally {
  tally: Tally;
  publishedAt: Date;
}

export function createPublishedTallyRepository(connection: Connection) {
  const Published = connection.model('PublishedTally', publishedSchema);
  return {
    async read(petitionId: string): Promise<PublishedTally | null> {
      const doc = await withRetry(() => Published.collection.findOne<{ tally: Tally; publishedAt: Date }>({ _id: petitionId as never }));
      return doc && { tally: doc.tally, publishedAt: doc.publishedAt };
    },
    /** Replaces the petition's snapshot: a retry after a lost answer writes the same thing again. */
    async write(petitionId: string, tally: Tally, publishedAt: Date): Promise<void> {
      const replace = (upsert: boolean) => withRetry(() => Published.collection.replaceOne({ _id: petitionId as never }, { tally, publishedAt }, { upsert }));
      try {
        await replace(true);
      } catch (error) {
        // Two instances creating the first snapshot at once: the loser replaces the winner's.
        if (!isDuplicateKey(error)) throw error;
        await replace(false);
      }
    },
  };
}

export type PublishedTallyRepository = ReturnType<typeof createPublishedTallyRepository>;
