import { Types, type Connection } from 'mongoose';
import { withRetry } from '../db/transient.js';
import type { DataProtector } from '../shared/data-protector.js';
import { signatureModel } from './signature-repository.js';
import type { SignerDetails } from './signature-types.js';

// A purge writes this many signatures per statement list, each found by `_id`.
const BATCH = 500;

/** What a purged signature still holds instead of the signer's details: nothing. */
export const PURGED_DETAILS: SignerDetails = { firstName: '', lastName: '', email: '', postcode: '', comment: '' };

/**
 * The purge's queries on the signatures feature's collections. Finding what to purge scans (only an
 * exact `_id` filter is indexed, docs/embedded-database.md); a purge runs rarely, and every write is by `_id`.
 */
export function createSignaturePurgeRepository(connection: Connection, protector: DataProtector) {
  const Signatures = signatureModel(connection).collection;
  const tokens = connection.collection('confirm_tokens');

  return {
    /** Signatures of these petitions whose personal data is still there, by petition. */
    async unpurged(petitionIds: string[]): Promise<Map<string, string[]>> {
      const found = new Map<string, string[]>(petitionIds.map((id) => [id, []]));
      if (petitionIds.length === 0) return found;
      const docs = await withRetry(() =>
        Signatures.find<{ _id: string; petitionId: Types.ObjectId }>(
          { petitionId: { $in: petitionIds.map((id) => new Types.ObjectId(id)) }, purgedAt: { $exists: false } },
          { projection: { _id: 1, petitionId: 1 } },
        ).toArray(),
      );
      for (const doc of docs) found.get(doc.petitionId.toHexString())?.push(doc._id);
      return found;
    },

    /** Unconfirmed signatures made before `before`, whose link has long expired. */
    async expiredPending(before: Date): Promise<{ id: string; petitionId: string }[]> {
      const docs = await withRetry(() =>
        Signatures.find<{ _id: string; petitionId: Types.ObjectId }>({ status: 'pending', createdAt: { $lt: before } }, { projection: { _id: 1, petitionId: 1 } }).toArray(),
      );
      return docs.map((d) => ({ id: d._id, petitionId: d.petitionId.toHexString() }));
    },

    /**
     * Replaces each signature's sealed details with sealed empty ones and stamps `purgedAt`; its status,
     * country, dates, consent and referral fields (what counts are made of) stay. Idempotent.
     */
    async purge(ids: string[], at: Date): Promise<void> {
      for (let start = 0; start < ids.length; start += BATCH) {
        const batch = ids.slice(start, start + BATCH);
        await withRetry(() =>
          Signatures.bulkWrite(
            batch.map((id) => ({
              updateOne: { filter: { _id: id as never }, update: { $set: { pii: protector.seal(PURGED_DETAILS, id), purgedAt: at }, $unset: { ipHash: '' } } },
            })),
            { ordered: false },
          ),
        );
      }
    },

    /** Confirmation tokens of these petitions: each holds its signer's address sealed. */
    async deleteTokens(petitionIds: string[]): Promise<number> {
      if (petitionIds.length === 0) return 0;
      const docs = await withRetry(() => tokens.find<{ _id: string }>({ petitionId: { $in: petitionIds } }, { projection: { _id: 1 } }).toArray());
      if (docs.length === 0) return 0;
      const result = await withRetry(() => tokens.deleteMany({ _id: { $in: docs.map((d) => d._id) as never[] } }));
      return result.deletedCount;
    },
  };
}

export type SignaturePurgeRepository = ReturnType<typeof createSignaturePurgeRepository>;
