import { Schema, Types, type Connection } from 'mongoose';
import { createBatcher } from '../shared/batcher.js';
import { isLanguage, type Language } from '../i18n/languages.js';
import type { DataProtector } from '../shared/data-protector.js';
import type { Signature, SignatureSource, SignatureStatus, SignerDetails } from './signature-types.js';
import { insertEach, withRetry } from '../db/transient.js';
import { openShare, sealShare, type ShareFacts } from './share-seal.js';

const signatureSchema = new Schema(
  {
    _id: String,
    petitionId: { type: Schema.Types.ObjectId, required: true },
    emailHash: { type: String, required: true },
    domainHash: { type: String, required: true },
    ipHash: { type: String },
    country: { type: String, required: true },
    status: { type: String, required: true },
    invalidatedFrom: { type: String },
    invalidatedAt: { type: Date },
    source: { type: String },
    collectedAt: { type: Date },
    collectedWhere: { type: String },
    verification: { type: String, required: true },
    consent: { updates: Boolean, hideName: Boolean },
    ref: { type: String },
    // The referring site's host, counted under `sources` when the signature is confirmed.
    referrer: { type: String },
    // The signer's language: every later email to them is written in it.
    language: { type: String },
    pii: { type: Buffer, required: true },
    // The signer's personal share code and the code they came through, sealed (share-seal.ts).
    share: { type: Buffer },
    createdAt: { type: Date, required: true },
    confirmedAt: { type: Date },
    // The journal entry whose confirmation changed it from pending (see confirmPending).
    confirmedBy: { type: String },
    // When a retention purge emptied `pii` (signature-purge.ts).
    purgedAt: { type: Date },
  },
  { collection: 'signatures', versionKey: false },
);
signatureSchema.index({ petitionId: 1, status: 1, country: 1 });

// The first confirmation of a signature inserts its id here; a second one hits the unique _id.
// `intent` names the journal entry that made it (see signature-journal-repository.ts).
const confirmationSchema = new Schema({ _id: String, at: Date, intent: String }, { collection: 'signature_confirmations', versionKey: false });

/**
 * A signature's id is `<petitionId>:<keyed hash of the canonical email>`. One signature per petition
 * per canonical email is thereby enforced by the primary key itself (inserts check it through the
 * unique index), and every lookup on a signer's request is by _id: the only filter the embedded
 * database answers from an index (docs/embedded-database.md).
 */
export const signatureId = (petitionId: string, emailHash: string) => `${petitionId}:${emailHash}`;

export interface NewSignatureRecord {
  petitionId: string;
  /** The one-per-petition key: the email's keyed hash, or for a paper signature without email `paper:<keyed hash of the row>`. */
  emailHash: string;
  domainHash: string | null;
  ipHash: string | null;
  country: string;
  status: SignatureStatus;
  verification: Signature['verification'];
  consent: Signature['consent'];
  ref: string | null;
  referrer?: string | null;
  language?: Language | null;
  details: SignerDetails;
  /** The code of the personal link the signer came through, and their own if it is already given (a signature counted at once). */
  share?: ShareFacts;
  createdAt: Date;
  source?: SignatureSource;
  collectedAt?: Date;
  collectedWhere?: string;
  /** The journal entry under which it is written, so that crash recovery can tell it made this signature. */
  intent?: string;
}

/** A signature as stored. Feature repositories (moderation, export, import) read the same collection. */
export interface SignatureDoc {
  _id: string;
  petitionId: Types.ObjectId;
  emailHash: string;
  domainHash?: string;
  ipHash?: string;
  country: string;
  status: SignatureStatus;
  invalidatedFrom?: 'pending' | 'confirmed';
  source?: SignatureSource;
  verification: Signature['verification'];
  consent: Signature['consent'];
  ref?: string;
  referrer?: string;
  language?: string;
  pii: { buffer: Uint8Array } | Buffer;
  share?: { buffer: Uint8Array } | Buffer;
  createdAt: Date;
  confirmedAt?: Date;
  purgedAt?: Date;
  collectedAt?: Date;
  collectedWhere?: string;
}

/** The mongoose model of the signatures collection, registered once per connection. */
const buildModel = (connection: Connection) => connection.model('Signature', signatureSchema);
export function signatureModel(connection: Connection): ReturnType<typeof buildModel> {
  return (connection.models.Signature as ReturnType<typeof buildModel> | undefined) ?? buildModel(connection);
}

export const piiOf = (doc: Pick<SignatureDoc, 'pii'>): Buffer => (Buffer.isBuffer(doc.pii) ? doc.pii : Buffer.from(doc.pii.buffer));

/** Turns a stored document into a plain Signature, decrypting what the signer told us. */
export const decodeSignature =
  (protector: DataProtector) =>
  (doc: SignatureDoc): Signature => ({
    id: doc._id,
    petitionId: doc.petitionId.toHexString(),
    emailHash: doc.emailHash,
    domainHash: doc.domainHash ?? null,
    ipHash: doc.ipHash ?? null,
    country: doc.country,
    status: doc.status,
    invalidatedFrom: doc.invalidatedFrom ?? null,
    source: doc.source ?? 'online',
    verification: doc.verification,
    consent: { updates: !!doc.consent?.updates, hideName: !!doc.consent?.hideName },
    ref: doc.ref ?? null,
    referrer: doc.referrer ?? null,
    createdAt: doc.createdAt,
    confirmedAt: doc.confirmedAt ?? null,
    collectedAt: doc.collectedAt ?? null,
    collectedWhere: doc.collectedWhere ?? null,
    language: isLanguage(doc.language) ? doc.language : null,
    details: protector.open<SignerDetails>(piiOf(doc), doc._id),
    purgedAt: doc.purgedAt ?? null,
    share: openShare(protector, doc._id, doc.share),
  });

export type ConfirmOutcome = 'confirmed' | 'invalidated' | 'missing';


export function createSignatureRepository(connection: Connection, protector: DataProtector) {
  const Signatures = signatureModel(connection);
  const Confirmations = connection.model('SignatureConfirmation', confirmationSchema);
  const toSignature = decodeSignature(protector);

  const toDoc = (r: NewSignatureRecord) => ({
    _id: signatureId(r.petitionId, r.emailHash),
    petitionId: new Types.ObjectId(r.petitionId),
    emailHash: r.emailHash,
    ...(r.domainHash ? { domainHash: r.domainHash } : {}),
    ...(r.ipHash ? { ipHash: r.ipHash } : {}),
    country: r.country,
    status: r.status,
    source: r.source ?? 'online',
    ...(r.collectedAt ? { collectedAt: r.collectedAt } : {}),
    ...(r.collectedWhere ? { collectedWhere: r.collectedWhere } : {}),
    verification: r.verification,
    consent: r.consent,
    ...(r.ref ? { ref: r.ref } : {}),
    ...(r.referrer ? { referrer: r.referrer } : {}),
    ...(r.language ? { language: r.language } : {}),
    pii: protector.seal(r.details, signatureId(r.petitionId, r.emailHash)),
    ...(r.share?.code || r.share?.via ? { share: sealShare(protector, signatureId(r.petitionId, r.emailHash), r.share) } : {}),
    createdAt: r.createdAt,
    ...(r.status === 'confirmed' ? { confirmedAt: r.createdAt } : {}),
    ...(r.intent ? { intent: r.intent } : {}),
  });

  /**
   * One batch serves many requests: each duplicate is reported by index. A duplicate met after a
   * failed attempt may be our own write whose answer was lost; its sealed details (random IV) say.
   */
  async function insertRecords(records: NewSignatureRecord[]): Promise<('created' | 'duplicate')[]> {
    const duplicates = await insertEach(Signatures.collection, records.map(toDoc), { isOurs: (stored, doc) => piiOf(stored as Pick<SignatureDoc, 'pii'>).equals(doc.pii) });
    return records.map((_, index) => (duplicates.has(index) ? 'duplicate' : 'created'));
  }

  /** True for each claim that is the first for its signature; many in one write. */
  async function claimConfirmations(claims: { id: string; at: Date; intent: string | null }[]): Promise<boolean[]> {
    if (claims.length === 0) return [];
    const docs = claims.map(({ id, at, intent }) => ({ _id: id, at, ...(intent ? { intent } : {}) }));
    const duplicates = await insertEach(Confirmations.collection, docs, { isOurs: (stored, doc) => 'intent' in doc && stored.intent === doc.intent });
    return claims.map((_, index) => !duplicates.has(index));
  }

  return {
    async init() {
      await Signatures.createIndexes();
      await Confirmations.createIndexes();
    },
    /** One signature; concurrent calls are written together (group commit). */
    insert: createBatcher(insertRecords),
    /** Many signatures in one write, e.g. an import. */
    insertMany: (records: NewSignatureRecord[]) => (records.length ? insertRecords(records) : Promise.resolve([])),
    async findById(id: string): Promise<Signature | null> {
      const doc = await withRetry(() => Signatures.findById(id).lean<SignatureDoc>());
      return doc ? toSignature(doc) : null;
    },
    /**
     * The signer's personal share code: drawn when the signature is stored (signature-service.ts); a signature stored
     * before codes existed gets one on first asking, written only if the sealed field is still as read.
     */
    async shareCodeOf(id: string, newCode: () => string): Promise<string | null> {
      for (let attempt = 0; attempt < 3; attempt += 1) {
        const doc = await withRetry(() => Signatures.collection.findOne<Pick<SignatureDoc, 'share'>>({ _id: id as never }, { projection: { share: 1 } }));
        if (!doc) return null;
        const facts = openShare(protector, id, doc.share);
        if (facts.code) return facts.code;
        const code = newCode();
        const unchanged = doc.share ? { share: doc.share } : { share: { $exists: false } };
        const result = await withRetry(() => Signatures.collection.updateOne({ _id: id as never, ...unchanged }, { $set: { share: sealShare(protector, id, { ...facts, code }) } }));
        if (result.modifiedCount === 1) return code;
      }
      return null;
    },
    /** The signer's choice, from their receipt, to be listed by name or by country only in packets made from now on. False when there is no such signature. */
    async setHideName(id: string, hideName: boolean): Promise<boolean> {
      const result = await withRetry(() => Signatures.collection.updateOne({ _id: id as never }, { $set: { 'consent.hideName': hideName } }));
      return result.matchedCount === 1;
    },
    /** The journal entry that wrote a signature, or null when it is not there (crash recovery). */
    async writtenBy(id: string): Promise<{ intent: string | null } | null> {
      const doc = await withRetry(() => Signatures.collection.findOne({ _id: id as never }, { projection: { intent: 1 } }));
      return doc ? { intent: typeof doc.intent === 'string' ? doc.intent : null } : null;
    },
    /** True for exactly one caller per signature, on MongoDB and FerretDB alike. */
    claimConfirmation: async (id: string, at: Date, intent: string | null = null): Promise<boolean> => (await claimConfirmations([{ id, at, intent }]))[0]!,
    claimConfirmations,
    /**
     * Confirms the pending signatures among `items` in one write, each stamped with the journal
     * entry (`intent`) that confirmed it, and answers the intents that did: a signature already
     * confirmed or invalidated is left as it is, and of two entries for one signature only the
     * first is tried. Each statement finds its signature by `_id` (indexed); the status is checked
     * on that one document (docs/embedded-database.md). When every statement changed its signature
     * (the usual case) the write says so; otherwise the stamps are read back, since a grouped
     * update does not say which of its statements matched.
     */
    async confirmPending(items: { id: string; at: Date; intent: string }[]): Promise<Set<string>> {
      const seen = new Set<string>();
      const tried = items.filter((i) => !seen.has(i.id) && seen.add(i.id));
      if (tried.length === 0) return new Set();
      const result = await withRetry(() =>
        Signatures.collection.bulkWrite(
          tried.map(({ id, at, intent }) => ({
            updateOne: { filter: { _id: id as never, status: 'pending' }, update: { $set: { status: 'confirmed', confirmedAt: at, confirmedBy: intent } } },
          })),
          { ordered: false },
        ),
      );
      if (result.modifiedCount === tried.length) return new Set(tried.map((i) => i.intent));
      const stamped = await withRetry(() =>
        Signatures.collection.find<{ confirmedBy?: string }>({ _id: { $in: tried.map((i) => i.id) as never[] } }, { projection: { confirmedBy: 1 } }).toArray(),
      );
      const by = new Set(stamped.flatMap((d) => (typeof d.confirmedBy === 'string' ? [d.confirmedBy] : [])));
      return new Set(tried.filter((i) => by.has(i.intent)).map((i) => i.intent));
    },
    /** The journal entry whose confirmation counted a signature, or null when none did (crash recovery). */
    async confirmationClaim(id: string): Promise<{ intent: string | null } | null> {
      const doc = await withRetry(() => Confirmations.collection.findOne({ _id: id as never }));
      return doc ? { intent: typeof doc.intent === 'string' ? doc.intent : null } : null;
    },
    /**
     * One signature, for crash recovery (live confirmations go through confirmPending). Idempotent;
     * `$min` keeps the first confirmation time. Unlike confirmPending it also answers 'confirmed' for
     * a signature confirmed before the `confirmedBy` stamp existed, so an entry left by an older
     * version is still finished. An invalidated signature stays invalidated: its status is put back
     * at once in the rare case a confirmation link races it.
     */
    async markConfirmed(id: string, at: Date): Promise<ConfirmOutcome> {
      const before = await withRetry(() =>
        Signatures.collection.findOneAndUpdate({ _id: id as never }, { $set: { status: 'confirmed' }, $min: { confirmedAt: at } }, { returnDocument: 'before' }),
      );
      if (!before) return 'missing';
      if (before.status !== 'invalidated') return 'confirmed';
      await withRetry(() => Signatures.collection.findOneAndUpdate({ _id: id as never }, { $set: { status: 'invalidated' } }));
      return 'invalidated';
    },
    /** Counts for recount, by status, source and country: grouped in the database with $sum only, which FerretDB supports. */
    async countByStatus(petitionId: string): Promise<{ status: SignatureStatus; source: SignatureSource; country: string; count: number }[]> {
      const rows = await Signatures.aggregate<{ _id: { status: SignatureStatus; source?: SignatureSource; country: string }; n: number }>([
        { $match: { petitionId: new Types.ObjectId(petitionId) } },
        { $group: { _id: { status: '$status', source: '$source', country: '$country' }, n: { $sum: 1 } } },
      ]);
      return rows.map((r) => ({ status: r._id.status, source: r._id.source ?? 'online', country: r._id.country, count: r.n }));
    },
  };
}

export type SignatureRepository = ReturnType<typeof createSignatureRepository>;
