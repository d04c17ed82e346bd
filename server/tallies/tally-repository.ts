import { Schema, Types, type Connection } from 'mongoose';

const tallySchema = new Schema(
  {
    petitionId: { type: Schema.Types.ObjectId, required: true },
    country: { type: String, required: true },
    count: { type: Number, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'tallies', versionKey: false },
);
tallySchema.index({ petitionId: 1, country: 1 }, { unique: true });

export interface TallyRow {
  country: string;
  count: number;
  updatedAt: Date;
}

const isDuplicateKey = (e: unknown) => (e as { code?: number }).code === 11000;

export function createTallyRepository(connection: Connection) {
  const Tallies = connection.model('Tally', tallySchema);
  return {
    init: () => Tallies.createIndexes(),
    /** One row per country: reading costs O(countries), never a count over signatures. */
    async read(petitionId: string): Promise<TallyRow[]> {
      const docs = await Tallies.find({ petitionId: new Types.ObjectId(petitionId) }, { _id: 0, country: 1, count: 1, updatedAt: 1 }).lean<TallyRow[]>();
      return docs.map((d) => ({ country: d.country, count: d.count, updatedAt: d.updatedAt }));
    },
    async add(petitionId: string, country: string, delta: number, now: Date): Promise<void> {
      const filter = { petitionId: new Types.ObjectId(petitionId), country };
      const update = { $inc: { count: delta }, $set: { updatedAt: now } };
      try {
        await Tallies.updateOne(filter, update, { upsert: true });
      } catch (error) {
        // Two first increments racing to create the row: the loser retries as a plain update.
        if (!isDuplicateKey(error)) throw error;
        await Tallies.updateOne(filter, update);
      }
    },
    async set(petitionId: string, country: string, count: number, now: Date): Promise<void> {
      await Tallies.updateOne({ petitionId: new Types.ObjectId(petitionId), country }, { $set: { count, updatedAt: now } }, { upsert: true });
    },
  };
}

export type TallyRepository = ReturnType<typeof createTallyRepository>;
