import { Schema, type Connection } from 'mongoose';
import { withRetry } from '../db/transient.js';
import { isDuplicateKey } from '../shared/db-errors.js';

// One document per petition, `_id` = petition id: every maintained counter of a petition is read
// in a single _id lookup of O(countries + days), on MongoDB and FerretDB alike.
//   counts.<CC>  confirmed online signatures      paper.<CC>  paper signatures
//   pending      awaiting email confirmation      invalidated removed by moderation
//   daily.<YYYY-MM-DD> signatures counted that day (online confirmations and paper)
//   refs.<code>  counted signatures per `ref` code, sources.<host> per referring site (counted when
//                confirmed, like the country: see signature-service.ts)
//   applied.<intent> journal entries whose changes this document holds, set in the same write as
//                the changes and removed once the entry is closed (see signature-journal-repository.ts)
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

const MARK = /^[A-Za-z0-9_-]{16}$/;
const markField = (intent: string) => {
  if (!MARK.test(intent)) throw new Error(`not a journal entry id: ${intent}`);
  return `applied.${intent}`;
};

/** Journal entries to mark as applied in a write, and entries closed since, whose marks can go. */
export interface Marks {
  set: string[];
  unset: string[];
}

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

  // A locked database has written nothing, so a retry cannot count twice (db/transient.ts).
  async function upsert(petitionId: string, update: object) {
    try {
      await withRetry(() => Tallies.collection.updateOne({ _id: petitionId as never }, update, { upsert: true }));
    } catch (error) {
      // Two first writes racing to create the document: the loser retries as a plain update.
      if (!isDuplicateKey(error)) throw error;
      await withRetry(() => Tallies.collection.updateOne({ _id: petitionId as never }, update));
    }
  }

  const markUpdate = (marks: Marks) => ({
    ...(marks.set.length ? { set: Object.fromEntries(marks.set.map((m) => [markField(m), 1])) } : {}),
    ...(marks.unset.length ? { unset: Object.fromEntries(marks.unset.map((m) => [markField(m), ''])) } : {}),
  });

  return {
    async read(petitionId: string): Promise<TallyDocument> {
      const doc = await withRetry(() => Tallies.collection.findOne<Record<string, unknown>>({ _id: petitionId as never }));
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
    /** Applies several counters' deltas in one write, marking the journal entries they came from. */
    add(petitionId: string, deltas: Map<string, number>, now: Date, marks: Marks = { set: [], unset: [] }) {
      const { set, unset } = markUpdate(marks);
      const inc = fieldsOf(deltas);
      // MongoDB refuses an empty $inc; a write may carry only marks.
      return upsert(petitionId, { ...(Object.keys(inc).length ? { $inc: inc } : {}), $set: { updatedAt: now, ...set }, ...(unset ? { $unset: unset } : {}) });
    },
    /** Journal entries marked as applied, by petition (a petition's document holds only those in flight). */
    async marks(): Promise<Map<string, Set<string>>> {
      const docs = await withRetry(() => Tallies.collection.find<{ _id: string; applied?: Record<string, unknown> }>({}, { projection: { applied: 1 } }).toArray());
      return new Map(docs.map((d) => [d._id, new Set(Object.keys(d.applied ?? {}))]));
    },
    set: (petitionId: string, values: Map<string, number>, now: Date) => upsert(petitionId, { $set: { ...fieldsOf(values), updatedAt: now } }),
  };
}

export type TallyRepository = ReturnType<typeof createTallyRepository>;
