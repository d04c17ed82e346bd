import { Types, type Connection } from 'mongoose';
import { signatureModel, type SignatureDoc } from './signature-repository.js';
import { criteriaQuery, type SignatureCriteria } from './signature-search-repository.js';
import type { DataProtector } from '../shared/data-protector.js';
import { openShare } from './share-seal.js';

type Counted = 'pending' | 'confirmed';

/** What a tally change needs to know about one signature a moderation run touched. */
export interface AffectedSignature {
  /** Its counted status: before an invalidation, or after a restore. */
  was: Counted;
  source: 'online' | 'paper';
  country: string;
  createdAt: Date;
  confirmedAt: Date | null;
  collectedAt: Date | null;
  /** The personal share code it came through, opened from its sealed data: its counter moves with it. */
  via: string | null;
}

/** What moderation adds to a stored signature: the run that invalidated it, or the restore that put it back. */
type ModeratedDoc = SignatureDoc & { invalidationRun?: string; restoreRun?: string; invalidatedAt?: Date };

const AFFECTED_FIELDS = { status: 1, invalidatedFrom: 1, source: 1, country: 1, createdAt: 1, confirmedAt: 1, collectedAt: 1, share: 1 };

const affectedBy = (protector: DataProtector) => (doc: ModeratedDoc, was: Counted): AffectedSignature => ({
  was,
  source: doc.source === 'paper' ? 'paper' : 'online',
  country: doc.country,
  createdAt: doc.createdAt,
  confirmedAt: doc.confirmedAt ?? null,
  collectedAt: doc.collectedAt ?? null,
  via: openShare(protector, doc._id, doc.share).via,
});

/**
 * Invalidating and restoring signatures, for moderation runs. A `$in` of more than 1,000 ids is a scan on
 * the embedded database, so a bulk change is one updateMany per status that tags each document with
 * its run id, and what a run changed is read back by that tag, which no other run carries. Its cost
 * there grows with the collection (docs/embedded-database.md): large runs belong on MongoDB.
 */
export function createSignatureInvalidationRepository(connection: Connection, protector: DataProtector) {
  const signatures = signatureModel(connection).collection;
  const affected = affectedBy(protector);

  return {
    /** Every signature matching `criteria` and counted as `from`; answers how many changed. */
    async invalidate(criteria: SignatureCriteria, from: Counted, runId: string, at: Date): Promise<number> {
      const result = await signatures.updateMany(
        criteriaQuery({ ...criteria, status: from }),
        { $set: { status: 'invalidated', invalidatedFrom: from, invalidatedAt: at, invalidationRun: runId } },
      );
      return result.modifiedCount;
    },

    /**
     * One signature, only if it still has the status it was found with: found by its `_id`, the
     * status checked on that one document (docs/embedded-database.md#access-paths).
     */
    async invalidateOne(id: string, from: Counted, runId: string, at: Date): Promise<AffectedSignature | null> {
      const before = await signatures.findOneAndUpdate(
        { _id: id as never, status: from },
        { $set: { status: 'invalidated', invalidatedFrom: from, invalidatedAt: at, invalidationRun: runId } },
        // No projection: FerretDB 1.x does not implement findAndModify's `fields`.
        { returnDocument: 'before' },
      );
      return before ? affected(before as unknown as ModeratedDoc, from) : null;
    },

    /** Puts back what a run invalidated and is still invalidated, tagging each with the restore's id. */
    async restore(petitionId: string, runId: string, to: Counted, restoreId: string): Promise<number> {
      const result = await signatures.updateMany(
        { petitionId: new Types.ObjectId(petitionId), invalidationRun: runId, status: 'invalidated', invalidatedFrom: to },
        { $set: { status: to, restoreRun: restoreId }, $unset: { invalidatedFrom: '', invalidatedAt: '', invalidationRun: '' } },
      );
      return result.modifiedCount;
    },

    /** The signatures a run (`invalidationRun`) or a restore (`restoreRun`) changed, as counted before or after it. */
    async changedBy(tag: 'invalidationRun' | 'restoreRun', id: string): Promise<AffectedSignature[]> {
      const out: AffectedSignature[] = [];
      for await (const doc of signatures.find<ModeratedDoc>({ [tag]: id }, { projection: AFFECTED_FIELDS })) {
        const was = tag === 'invalidationRun' ? doc.invalidatedFrom : doc.status;
        if (was === 'pending' || was === 'confirmed') out.push(affected(doc, was));
      }
      return out;
    },
  };
}

export type SignatureInvalidationRepository = ReturnType<typeof createSignatureInvalidationRepository>;
