import { Schema, type Connection } from 'mongoose';
import { withRetry } from '../db/transient.js';
import { isDuplicateKey } from '../shared/db-errors.js';
import { signatureModel } from './signature-repository.js';

/**
 * What is left of a withdrawn signature: its id (what its receipt link names), the petition, when it was
 * withdrawn, the delivered packets it was already in, and the journal entry that withdrew it. No name,
 * address or country: only enough for the receipt link to say "withdrawn" and for recovery to finish it.
 * `signedAt` tells this signature from a later one by the same address, which has the same id.
 */
const withdrawalSchema = new Schema(
  { _id: String, petitionId: String, signedAt: Date, at: Date, intent: String, delivered: [String] },
  { collection: 'signature_withdrawals', versionKey: false },
);

export interface Withdrawal {
  signatureId: string;
  petitionId: string;
  signedAt: Date;
  at: Date;
  intent: string;
  /** Packets already handed over with this signature in them: they stay as delivered. */
  delivered: string[];
}

interface WithdrawalDoc {
  _id: string;
  petitionId: string;
  signedAt: Date;
  at: Date;
  intent: string;
  delivered?: string[];
}

const toWithdrawal = (d: WithdrawalDoc): Withdrawal => ({ signatureId: d._id, petitionId: d.petitionId, signedAt: d.signedAt, at: d.at, intent: d.intent, delivered: d.delivered ?? [] });

/** Withdrawals: every filter is by `_id`, the one the embedded database answers from its index (docs/embedded-database.md). */
export function createSignatureWithdrawalRepository(connection: Connection) {
  const Withdrawals = connection.model('SignatureWithdrawal', withdrawalSchema);
  const signatures = signatureModel(connection).collection;
  const confirmations = connection.collection('signature_confirmations');

  async function find(signatureId: string): Promise<Withdrawal | null> {
    const doc = await withRetry(() => Withdrawals.collection.findOne<WithdrawalDoc>({ _id: signatureId as never }));
    return doc ? toWithdrawal(doc) : null;
  }

  /**
   * Deletes the signature signed at `signedAt` and its confirmation claim (so that the same address
   * may sign and be counted again). Idempotent.
   */
  async function erase(signatureId: string, signedAt: Date): Promise<void> {
    const gone = await withRetry(() => signatures.deleteOne({ _id: signatureId as never, createdAt: signedAt }));
    if (gone.deletedCount === 1 || !(await signatures.findOne({ _id: signatureId as never }, { projection: { _id: 1 } }))) {
      await withRetry(() => confirmations.deleteOne({ _id: signatureId as never }));
    }
  }

  return {
    find,
    /**
     * The claim that makes a withdrawal count once: true for exactly one entry per signature (per
     * `signedAt`). The upsert skips a withdrawal of this same signature and, racing another, meets
     * the unique `_id`; a withdrawal of an earlier signature by the same address is replaced.
     */
    async claim(w: Withdrawal): Promise<boolean> {
      try {
        const result = await withRetry(() =>
          Withdrawals.collection.updateOne(
            { _id: w.signatureId as never, signedAt: { $ne: w.signedAt } },
            { $set: { petitionId: w.petitionId, signedAt: w.signedAt, at: w.at, intent: w.intent, delivered: w.delivered } },
            { upsert: true },
          ),
        );
        return result.modifiedCount + result.upsertedCount === 1 || (await find(w.signatureId))?.intent === w.intent;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        return (await find(w.signatureId))?.intent === w.intent;
      }
    },
    erase,
    /** Crash recovery: did entry `intent` withdraw the signature? If so its erasure is finished now. */
    async tookEffect(signatureId: string, intent: string): Promise<boolean> {
      const w = await find(signatureId);
      if (w?.intent !== intent) return false;
      await erase(signatureId, w.signedAt);
      return true;
    },
  };
}

export type SignatureWithdrawalRepository = ReturnType<typeof createSignatureWithdrawalRepository>;
