import { mongo, type Connection } from 'mongoose';
import { ConfigError } from './config.js';

type Doc = { _id: unknown } & Record<string, unknown>;

/** A sealed value inside a document: where it is, how it is stored and what it is bound to. */
export interface SealedField {
  path: string;
  /** Buffers are stored as BSON binary; the outbox and the tokens keep base64 text. */
  stored: 'binary' | 'base64';
  context: (doc: Doc) => string;
}

const field = (doc: Doc, path: string): unknown => path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), doc);
const text = (doc: Doc, path: string): string => String(field(doc, path));
const recipientAndVia = (at: string): SealedField[] => [
  { path: `${at}recipient`, stored: 'base64', context: (d) => `outbox:${text(d, `${at}signatureId`)}` },
  { path: `${at}via`, stored: 'base64', context: (d) => `via:${text(d, `${at}signatureId`)}` },
];

/**
 * Every collection that holds values sealed with the data protector, and how each is bound
 * (signatures/signature-repository.ts, signatures/share-seal.ts, signatures/via-counting.ts,
 * mail/sealed-recipient.ts, receipts/receipt-request.ts). A new sealed field belongs here, or rotation leaves it under the old key
 * and the final check says so. Files are walked by the file store itself (files/file-repository.ts).
 */
export const SEALED_COLLECTIONS: { name: string; fields: SealedField[] }[] = [
  {
    name: 'signatures',
    fields: [
      { path: 'pii', stored: 'binary', context: (d) => String(d._id) },
      { path: 'share', stored: 'binary', context: (d) => `share:${String(d._id)}` },
    ],
  },
  { name: 'confirm_tokens', fields: recipientAndVia('') },
  // A lost-receipt request carries the address asked about, bound to the job (receipts/receipt-request.ts).
  { name: 'outbox', fields: [...recipientAndVia('payload.'), { path: 'payload.email', stored: 'base64', context: (d) => `receipt-request:${String(d._id)}` }] },
  { name: 'outbox_bulk', fields: recipientAndVia('payload.') },
  { name: 'signature_journal', fields: [{ path: 'share', stored: 'base64', context: (d) => `journal-share:${text(d, 'signatureId')}` }] },
];

export interface Checkpoint {
  keyId: string;
  /** Index into the stages: the collections above, then the files. */
  stage: number;
  /** The last `_id` done in that stage. */
  after: unknown;
  resealed: number;
  finishedAt?: Date | null;
}

export interface Change {
  id: unknown;
  /** The values as read, so a value the app rewrote meanwhile is left alone. */
  before: Record<string, unknown>;
  after: Record<string, Buffer | string>;
}

/** The raw access key rotation needs: whole collections in `_id` order, and updates by `_id`. */
export function createKeyRotationRepository(connection: Connection) {
  const db = () => connection.db!;
  const checkpoints = () => db().collection<{ _id: string } & Checkpoint>('key_rotation');

  return {
    /** The sealed value at `path` as a buffer, or null when the document has none. */
    sealedAt(doc: Doc, f: SealedField): Buffer | null {
      const value = field(doc, f.path);
      if (value === undefined || value === null || value === '') return null;
      if (f.stored === 'base64') return typeof value === 'string' ? Buffer.from(value, 'base64') : null;
      return value instanceof mongo.Binary ? Buffer.from(value.buffer) : Buffer.isBuffer(value) ? value : null;
    },
    raw: field,
    /**
     * One cursor over the collection from `after`, in `_id` order, in batches: a single pass, since
     * only `_id` equality and `$in` use an index (docs/embedded-database.md#costs-we-design-around).
     */
    async *batches(name: string, after: unknown, size: number): AsyncGenerator<Doc[]> {
      const filter = after === null || after === undefined ? {} : { _id: { $gt: after } };
      const cursor = db().collection<Doc>(name).find(filter as never, { sort: { _id: 1 }, batchSize: size });
      let batch: Doc[] = [];
      for await (const doc of cursor) {
        batch.push(doc);
        if (batch.length >= size) {
          yield batch;
          batch = [];
        }
      }
      if (batch.length) yield batch;
    },
    /** One write per batch; each update by `_id` (indexed) and only if the values are still as read. */
    async write(name: string, changes: Change[]): Promise<number> {
      if (changes.length === 0) return 0;
      const result = await db()
        .collection<Doc>(name)
        .bulkWrite(
          changes.map((c) => ({ updateOne: { filter: { _id: c.id, ...c.before } as never, update: { $set: c.after } as never } })),
          { ordered: false },
        );
      return result.modifiedCount;
    },
    checkpoint: () => checkpoints().findOne({ _id: 'checkpoint' }),
    /**
     * The id of the hash key this database's ids were made with: recorded on first start, then compared,
     * so an app started after a rotation without HASH_KEY refuses to run instead of making new ids.
     */
    async checkHashKey(keyId: string): Promise<void> {
      const marks = db().collection<{ _id: string; keyId: string }>('data_keys');
      await marks.updateOne({ _id: 'hash-key' }, { $setOnInsert: { keyId } }, { upsert: true });
      const mark = await marks.findOne({ _id: 'hash-key' });
      if (mark && mark.keyId !== keyId) {
        throw new ConfigError(
          `Invalid configuration:\n  HASH_KEY: this database's keyed hashes were made with key ${mark.keyId}, not ${keyId}; set HASH_KEY to the first DATA_KEY (README, "Rotating DATA_KEY")`,
        );
      }
    },
    save: (state: Checkpoint) => checkpoints().replaceOne({ _id: 'checkpoint' }, state, { upsert: true }),
  };
}

export type KeyRotationRepository = ReturnType<typeof createKeyRotationRepository>;
