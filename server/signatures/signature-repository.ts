import { Schema, Types, type Connection } from 'mongoose';
import { createBatcher } from '../shared/batcher.js';
import type { DataProtector } from '../shared/data-protector.js';
import type { Signature, SignatureStatus, SignerDetails } from './signature-types.js';

const signatureSchema = new Schema(
  {
    _id: String,
    petitionId: { type: Schema.Types.ObjectId, required: true },
    emailHash: { type: String, required: true },
    domainHash: { type: String, required: true },
    ipHash: { type: String },
    country: { type: String, required: true },
    status: { type: String, required: true },
    verification: { type: String, required: true },
    consent: { updates: Boolean, hideName: Boolean },
    ref: { type: String },
    pii: { type: Buffer, required: true },
    createdAt: { type: Date, required: true },
    confirmedAt: { type: Date },
  },
  { collection: 'signatures', versionKey: false },
);
signatureSchema.index({ petitionId: 1, status: 1, country: 1 });

// The first confirmation of a signature inserts its id here; a second one hits the unique _id.
const confirmationSchema = new Schema({ _id: String, at: Date }, { collection: 'signature_confirmations', versionKey: false });

/**
 * A signature's id is `<petitionId>:<keyed hash of the canonical email>`. One signature per petition
 * per canonical email is thereby enforced by the primary key itself (inserts check it through the
 * unique index), and every lookup is by _id: the only filter FerretDB 1.x's SQLite backend pushes
 * down to SQL. Even that is a table scan there (see README), so hot paths avoid lookups here.
 */
export const signatureId = (petitionId: string, emailHash: string) => `${petitionId}:${emailHash}`;

export interface NewSignatureRecord {
  petitionId: string;
  emailHash: string;
  domainHash: string;
  ipHash: string | null;
  country: string;
  status: SignatureStatus;
  verification: Signature['verification'];
  consent: Signature['consent'];
  ref: string | null;
  details: SignerDetails;
  createdAt: Date;
}

interface SignatureDoc {
  _id: string;
  petitionId: Types.ObjectId;
  emailHash: string;
  country: string;
  status: SignatureStatus;
  verification: Signature['verification'];
  consent: Signature['consent'];
  pii: { buffer: Uint8Array } | Buffer;
  createdAt: Date;
  confirmedAt?: Date;
}

const isDuplicateKey = (e: unknown) => (e as { code?: number }).code === 11000;

export function createSignatureRepository(connection: Connection, protector: DataProtector) {
  const Signatures = connection.model('Signature', signatureSchema);
  const Confirmations = connection.model('SignatureConfirmation', confirmationSchema);

  const toSignature = (doc: SignatureDoc): Signature => {
    const pii = Buffer.isBuffer(doc.pii) ? doc.pii : Buffer.from(doc.pii.buffer);
    return {
      id: doc._id,
      petitionId: doc.petitionId.toHexString(),
      emailHash: doc.emailHash,
      country: doc.country,
      status: doc.status,
      verification: doc.verification,
      consent: { updates: !!doc.consent?.updates, hideName: !!doc.consent?.hideName },
      createdAt: doc.createdAt,
      confirmedAt: doc.confirmedAt ?? null,
      details: protector.open<SignerDetails>(pii, doc._id),
    };
  };

  const toDoc = (r: NewSignatureRecord) => ({
    _id: signatureId(r.petitionId, r.emailHash),
    petitionId: new Types.ObjectId(r.petitionId),
    emailHash: r.emailHash,
    domainHash: r.domainHash,
    ...(r.ipHash ? { ipHash: r.ipHash } : {}),
    country: r.country,
    status: r.status,
    verification: r.verification,
    consent: r.consent,
    ...(r.ref ? { ref: r.ref } : {}),
    pii: protector.seal(r.details, signatureId(r.petitionId, r.emailHash)),
    createdAt: r.createdAt,
    ...(r.status === 'confirmed' ? { confirmedAt: r.createdAt } : {}),
  });

  // Unordered insertMany reports each duplicate by index, so one batch serves many requests.
  const insertBatch = createBatcher<NewSignatureRecord, 'created' | 'duplicate'>(async (records) => {
    const outcome: ('created' | 'duplicate')[] = records.map(() => 'created');
    try {
      await Signatures.collection.insertMany(records.map(toDoc) as never[], { ordered: false });
    } catch (error) {
      const writeErrors = (error as { writeErrors?: { index: number; code: number }[] }).writeErrors;
      if (!writeErrors || writeErrors.some((w) => w.code !== 11000)) throw error;
      for (const w of writeErrors) outcome[w.index] = 'duplicate';
    }
    return outcome;
  });

  return {
    async init() {
      await Signatures.createIndexes();
      await Confirmations.createIndexes();
    },
    insert: insertBatch,
    async findById(id: string): Promise<Signature | null> {
      const doc = await Signatures.findById(id).lean<SignatureDoc>();
      return doc ? toSignature(doc) : null;
    },
    /** True for exactly one caller per signature, on MongoDB and FerretDB alike. */
    async claimConfirmation(id: string, at: Date): Promise<boolean> {
      try {
        await Confirmations.collection.insertOne({ _id: id as never, at });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    /** Idempotent; `$min` keeps the first confirmation time. Filtered by _id alone, which FerretDB pushes down to SQL. */
    async markConfirmed(id: string, at: Date): Promise<void> {
      await Signatures.collection.updateOne({ _id: id as never }, { $set: { status: 'confirmed' }, $min: { confirmedAt: at } });
    },
    /** Counts for recount: grouped in the database with $sum only, which FerretDB supports. */
    async countConfirmedByCountry(petitionId: string): Promise<Map<string, number>> {
      const rows = await Signatures.aggregate<{ _id: string; n: number }>([
        { $match: { petitionId: new Types.ObjectId(petitionId), status: 'confirmed' } },
        { $group: { _id: '$country', n: { $sum: 1 } } },
      ]);
      return new Map(rows.map((r) => [r._id, r.n]));
    },
  };
}

export type SignatureRepository = ReturnType<typeof createSignatureRepository>;
