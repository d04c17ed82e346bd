import { Schema, type Connection } from 'mongoose';

// One document per petition, `_id` = petition id, counts keyed by country code: reading a
// petition's tallies is a single _id lookup of O(countries), on MongoDB and FerretDB alike.
const tallySchema = new Schema(
  {
    _id: String,
    counts: { type: Schema.Types.Mixed, required: true },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'tallies', versionKey: false, minimize: false },
);

export interface TallyRow {
  country: string;
  count: number;
}

export interface TallyDocument {
  rows: TallyRow[];
  updatedAt: Date | null;
}

const COUNTRY = /^[A-Z]{2}$/;
const isDuplicateKey = (e: unknown) => (e as { code?: number }).code === 11000;

export function createTallyRepository(connection: Connection) {
  const Tallies = connection.model('Tally', tallySchema);

  const fieldsOf = (changes: Map<string, number>) => {
    const fields: Record<string, number> = {};
    for (const [country, n] of changes) {
      if (!COUNTRY.test(country)) throw new Error(`not a country code: ${country}`);
      fields[`counts.${country}`] = n;
    }
    return fields;
  };

  async function upsert(petitionId: string, update: object) {
    try {
      await Tallies.collection.updateOne({ _id: petitionId as never }, update, { upsert: true });
    } catch (error) {
      // Two first writes racing to create the document: the loser retries as a plain update.
      if (!isDuplicateKey(error)) throw error;
      await Tallies.collection.updateOne({ _id: petitionId as never }, update);
    }
  }

  return {
    async read(petitionId: string): Promise<TallyDocument> {
      const doc = await Tallies.findById(petitionId).lean<{ counts: Record<string, number>; updatedAt: Date }>();
      if (!doc) return { rows: [], updatedAt: null };
      return { rows: Object.entries(doc.counts).map(([country, count]) => ({ country, count })), updatedAt: doc.updatedAt };
    },
    /** Applies several countries' deltas in one write. */
    add: (petitionId: string, deltas: Map<string, number>, now: Date) => upsert(petitionId, { $inc: fieldsOf(deltas), $set: { updatedAt: now } }),
    set: (petitionId: string, counts: Map<string, number>, now: Date) => upsert(petitionId, { $set: { ...fieldsOf(counts), updatedAt: now } }),
  };
}

export type TallyRepository = ReturnType<typeof createTallyRepository>;
