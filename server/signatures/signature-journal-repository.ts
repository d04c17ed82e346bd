import { randomBytes } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import { insertEach, withRetry } from '../db/transient.js';
import { createBatcher } from '../shared/batcher.js';
import type { TallyChanges } from '../tallies/tally-service.js';

/**
 * The journal of signing and confirming: an entry is written before a signature or a confirmation
 * and removed once its counts are in the tally. An entry still here after a crash is finished by
 * recovery (signature-recovery.ts), so that no acknowledged step is ever left uncounted. It only
 * holds steps in flight, so it stays small and is read whole.
 */
export interface JournalEntry {
  id: string;
  kind: 'sign' | 'confirm' | 'withdraw';
  petitionId: string;
  signatureId: string;
  /** What the tally gains if this step took effect (a new signature, a first confirmation; a withdrawal's are negative). */
  changes: TallyChanges;
  at: Date;
  /**
   * The personal share code this step counts for, with the random mark that makes counting it once,
   * sealed (countedVia in signature-service.ts): an entry names its signature in plain.
   */
  share?: string | null;
}

const journalSchema = new Schema(
  { _id: String, kind: String, petitionId: String, signatureId: String, changes: Schema.Types.Mixed, at: Date, share: String },
  { collection: 'signature_journal', versionKey: false, minimize: false },
);

// Counter names hold dots (`counts.GB`), which stored keys may not, and FerretDB stores no nested
// arrays: changes are kept as a list of { field, by }.
type JournalDoc = Omit<JournalEntry, 'id' | 'changes'> & { _id: string; changes: { field: string; by: number }[] };

export const newIntentId = () => randomBytes(12).toString('base64url');

export function createSignatureJournalRepository(connection: Connection) {
  const Journal = connection.model('SignatureJournal', journalSchema);

  const openMany = async (entries: JournalEntry[]): Promise<void> => {
    if (entries.length === 0) return;
    await insertEach(
      Journal.collection,
      entries.map(({ id, changes, share, ...rest }) => ({ _id: id, ...rest, ...(share ? { share } : {}), changes: Object.entries(changes).map(([field, by]) => ({ field, by })) })),
    );
  };
  const open = createBatcher<JournalEntry, void>(async (entries) => {
    await openMany(entries);
    return entries.map(() => undefined);
  });

  // `_id` $in: indexed on the embedded database too (docs/embedded-database.md).
  const close = createBatcher<string, void>(async (ids) => {
    await withRetry(() => Journal.collection.deleteMany({ _id: { $in: ids as never[] } }));
    return ids.map(() => undefined);
  });

  return {
    /** Concurrent entries are written together. */
    open,
    /** Entries a caller already holds together, in one write. */
    openMany,
    close,
    /** Entries written before `before`, oldest first. */
    async openedBefore(before: Date): Promise<JournalEntry[]> {
      const docs = await withRetry(() => Journal.collection.find<JournalDoc>({ at: { $lt: before } }).toArray());
      return docs
        .map(({ _id, changes, share, ...rest }) => ({ id: _id, ...rest, share: share ?? null, changes: Object.fromEntries((changes ?? []).map((c) => [c.field, c.by])) }))
        .sort((a, b) => a.at.getTime() - b.at.getTime());
    },
    async ids(): Promise<Set<string>> {
      const docs = await withRetry(() => Journal.collection.find<{ _id: string }>({}, { projection: { _id: 1 } }).toArray());
      return new Set(docs.map((d) => d._id));
    },
  };
}

export type SignatureJournalRepository = ReturnType<typeof createSignatureJournalRepository>;
