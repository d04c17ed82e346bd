import { Types, type Connection } from 'mongoose';
import { signatureModel, type SignatureDoc } from '../signatures/signature-repository.js';
import type { AffectedSignature } from './moderation-tallies.js';

type Query = Record<string, unknown>;
type Counted = 'pending' | 'confirmed';

/** What moderation adds to a stored signature: the run that invalidated it, or the restore that put it back. */
type ModeratedDoc = SignatureDoc & { invalidationRun?: string; restoreRun?: string; invalidatedAt?: Date };

const AFFECTED_FIELDS = { status: 1, invalidatedFrom: 1, source: 1, country: 1, createdAt: 1, confirmedAt: 1, collectedAt: 1 };

const affected = (doc: ModeratedDoc, was: Counted): AffectedSignature => ({
  was,
  source: doc.source === 'paper' ? 'paper' : 'online',
  country: doc.country,
  createdAt: doc.createdAt,
  confirmedAt: doc.confirmedAt ?? null,
  collectedAt: doc.collectedAt ?? null,
});

/**
 * Moderation's reads and writes on the signatures collection, through the raw driver collection.
 * FerretDB 1.x decodes every document for any filter but `_id` equality and is very slow with a long
 * `$in` of ids, so bulk changes are one updateMany per status that tags each document with its run id;
 * what a run changed is then read back by that tag, which no other run carries. FerretDB still writes
 * each changed document as its own UPDATE by _id, an unindexed scan (measured: 1,000 of 1,000 documents
 * in 10 s), so large runs belong on MongoDB, where updateMany uses the petitionId index.
 */
export function createModerationRepository(connection: Connection) {
  const signatures = signatureModel(connection).collection;

  return {
    count: (query: Query) => signatures.countDocuments(query),

    /** Matching documents in stored order: a sort would make FerretDB hold every match in memory. */
    find(query: Query, limit?: number): AsyncIterable<ModeratedDoc> {
      return signatures.find(query, limit ? { limit } : {}) as unknown as AsyncIterable<ModeratedDoc>;
    },

    async invalidateMatching(query: Query, from: Counted, runId: string, at: Date): Promise<number> {
      const result = await signatures.updateMany(
        { ...query, status: from },
        { $set: { status: 'invalidated', invalidatedFrom: from, invalidatedAt: at, invalidationRun: runId } },
      );
      return result.modifiedCount;
    },

    /** One signature by id (FerretDB's fast path), only if it still has the status it was found with. */
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
      for await (const doc of signatures.find({ [tag]: id }, { projection: AFFECTED_FIELDS }) as unknown as AsyncIterable<ModeratedDoc>) {
        const was = tag === 'invalidationRun' ? doc.invalidatedFrom : doc.status;
        if (was === 'pending' || was === 'confirmed') out.push(affected(doc, was));
      }
      return out;
    },

    /** The most frequent values of a hash field among a petition's signatures created since `since`. */
    async topBy(petitionId: string, field: 'domainHash' | 'ipHash', since: Date, limit: number): Promise<{ hash: string; count: number }[]> {
      const rows = await signatures
        .aggregate<{ _id: string | null; n: number }>([
          { $match: { petitionId: new Types.ObjectId(petitionId), createdAt: { $gte: since }, [field]: { $exists: true } } },
          { $group: { _id: `$${field}`, n: { $sum: 1 } } },
          { $sort: { n: -1, _id: 1 } },
          { $limit: limit },
        ])
        .toArray();
      return rows.flatMap((r) => (typeof r._id === 'string' ? [{ hash: r._id, count: r.n }] : []));
    },

    /** One recent signature per domain hash: the only way back from a keyed hash to a domain name is a signer's email. */
    async samplesOf(petitionId: string, domainHashes: string[], since: Date): Promise<Map<string, ModeratedDoc>> {
      const found = new Map<string, ModeratedDoc>();
      if (domainHashes.length === 0) return found;
      const cursor = signatures.find(
        { petitionId: new Types.ObjectId(petitionId), createdAt: { $gte: since }, domainHash: { $in: domainHashes } },
        { projection: { _id: 1, domainHash: 1, pii: 1 } },
      );
      for await (const doc of cursor as unknown as AsyncIterable<ModeratedDoc>) {
        if (doc.domainHash && !found.has(doc.domainHash)) found.set(doc.domainHash, doc);
        if (found.size === domainHashes.length) break;
      }
      await cursor.close();
      return found;
    },
  };
}

export type ModerationRepository = ReturnType<typeof createModerationRepository>;
