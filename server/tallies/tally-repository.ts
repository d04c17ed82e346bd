import { Schema, type Connection } from 'mongoose';
import { isDuplicateKey } from '../shared/db-errors.js';

// One document per petition, `_id` = petition id: every maintained counter of a petition is read
// in a single _id lookup of O(countries + days), on MongoDB and FerretDB alike.
//   counts.<CC>  confirmed online signatures      paper.<CC>  paper signatures
//   pending      awaiting email confirmation      invalidated removed by moderation
//   daily.<YYYY-MM-DD> signatures counted that day (online confirmations and paper)
//   refs.<code>  new signatures per `ref` code    sources.<host> new signatures per referring site
const tallySchema = new Schema(
  {
    _id: String,
    counts: { type: Schema.Types.Mixed },
    updatedAt: { type: Date, required: true },
  },
  { collection: 'tallies', versionKey: false, minimize: false, strict: false },
);

export interface TallyDocument {
  confirmed: Map<string, number>;
  paper: Map<string, number>;
  pending: number;
  invalidated: number;
  daily: Map<string, number>;
  refs: Map<string, number>;
  sources: Map<string, number>;
  updatedAt: Date | null;
}

/** Field paths a change may touch; anything else is a programming error, refused before writing. */
const FIELD = /^(?:(?:counts|paper)\.[A-Z]{2}|pending|invalidated|daily\.\d{4}-\d{2}-\d{2}|refs\.[A-Za-z0-9_-]{1,40}|sources\.[a-z0-9%-]{1,300})$/;

/** Referring host names (`[a-z0-9.-]`) contain dots, which field paths cannot: dots are stored as `%2e`. */
export const encodeHost = (host: string) => host.replace(/\./g, '%2e');
const decodeHost = (key: string) => key.replace(/%2e/g, '.');

const toMap = (o: unknown) => new Map(Object.entries((o ?? {}) as Record<string, number>).filter(([, n]) => typeof n === 'number'));

export function createTallyRepository(connection: Connection) {
  const Tallies = connection.model('Tally', tallySchema);

  const fieldsOf = (changes: Map<string, number>) => {
    const fields: Record<string, number> = {};
    for (const [field, n] of changes) {
      if (!FIELD.test(field)) throw new Error(`not a tally field: ${field}`);
      fields[field] = n;
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
      const doc = await Tallies.collection.findOne<Record<string, unknown>>({ _id: petitionId as never });
      return {
        confirmed: toMap(doc?.counts),
        paper: toMap(doc?.paper),
        pending: typeof doc?.pending === 'number' ? doc.pending : 0,
        invalidated: typeof doc?.invalidated === 'number' ? doc.invalidated : 0,
        daily: toMap(doc?.daily),
        refs: toMap(doc?.refs),
        sources: new Map([...toMap(doc?.sources)].map(([k, n]) => [decodeHost(k), n])),
        updatedAt: (doc?.updatedAt as Date | undefined) ?? null,
      };
    },
    /** Applies several counters' deltas in one write. */
    add: (petitionId: string, deltas: Map<string, number>, now: Date) => upsert(petitionId, { $inc: fieldsOf(deltas), $set: { updatedAt: now } }),
    set: (petitionId: string, values: Map<string, number>, now: Date) => upsert(petitionId, { $set: { ...fieldsOf(values), updatedAt: now } }),
  };
}

export type TallyRepository = ReturnType<typeof createTallyRepository>;
