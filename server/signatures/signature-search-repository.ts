import { Types, type Connection } from 'mongoose';
import type { DataProtector } from '../shared/data-protector.js';
import { normaliseEmail } from './email-normaliser.js';
import { decodeSignature, piiOf, signatureModel, type SignatureDoc } from './signature-repository.js';
import type { Signature, SignatureSource, SignatureStatus, SignerDetails } from './signature-types.js';

/** Which signatures of one petition: each field given narrows the set. Hashes are keyed by the caller. */
export interface SignatureCriteria {
  petitionId: string;
  emailHash?: string;
  domainHash?: string;
  ipHash?: string;
  country?: string;
  /** One status, or any of several. */
  status?: SignatureStatus | SignatureStatus[];
  source?: SignatureSource;
  /** Created at or after. */
  createdFrom?: Date;
  /** Created before. */
  createdBefore?: Date;
}

/** The database filter for some criteria; shared with the invalidation repository. */
export function criteriaQuery(c: SignatureCriteria): Record<string, unknown> {
  const query: Record<string, unknown> = { petitionId: new Types.ObjectId(c.petitionId) };
  if (c.emailHash) query.emailHash = c.emailHash;
  if (c.domainHash) query.domainHash = c.domainHash;
  if (c.ipHash) query.ipHash = c.ipHash;
  if (c.country) query.country = c.country;
  if (Array.isArray(c.status)) query.status = c.status.length === 1 ? c.status[0] : { $in: c.status };
  else if (c.status) query.status = c.status;
  // Signatures stored before sources existed are online ones.
  if (c.source) query.source = c.source === 'online' ? { $ne: 'paper' } : 'paper';
  if (c.createdFrom || c.createdBefore) {
    query.createdAt = { ...(c.createdFrom ? { $gte: c.createdFrom } : {}), ...(c.createdBefore ? { $lt: c.createdBefore } : {}) };
  }
  return query;
}

/**
 * Searching a petition's signatures, for moderation and its trending report. Every query here but
 * none by `_id` reads the whole collection on the embedded database (docs/embedded-database.md):
 * these serve an organiser's search, not a signer's request.
 */
export function createSignatureSearchRepository(connection: Connection, protector: DataProtector) {
  const signatures = signatureModel(connection).collection;
  const decode = decodeSignature(protector);

  return {
    count: (criteria: SignatureCriteria) => signatures.countDocuments(criteriaQuery(criteria)),

    /** Matching signatures, decrypted, in stored order: a sort would hold every match in memory. */
    async *search(criteria: SignatureCriteria, limit?: number): AsyncGenerator<Signature> {
      const cursor = signatures.find<SignatureDoc>(criteriaQuery(criteria), limit ? { limit } : {});
      try {
        for await (const doc of cursor) yield decode(doc);
      } finally {
        await cursor.close();
      }
    },

    /** The most frequent values of a hash field among a petition's signatures created since `since`. */
    async topHashes(petitionId: string, field: 'domainHash' | 'ipHash', since: Date, limit: number): Promise<{ hash: string; count: number }[]> {
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

    /**
     * The email domain behind each domain hash, read from one recent signer's email: the only way
     * back from a keyed hash to a name. A hash with no readable sample is left out.
     */
    async domainsOf(petitionId: string, domainHashes: string[], since: Date): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      if (domainHashes.length === 0) return found;
      const cursor = signatures.find<Pick<SignatureDoc, '_id' | 'domainHash' | 'pii'>>(
        { petitionId: new Types.ObjectId(petitionId), createdAt: { $gte: since }, domainHash: { $in: domainHashes } },
        { projection: { _id: 1, domainHash: 1, pii: 1 } },
      );
      try {
        for await (const doc of cursor) {
          if (!doc.domainHash || found.has(doc.domainHash)) continue;
          const email = normaliseEmail(protector.open<SignerDetails>(piiOf(doc), doc._id).email);
          if (email.ok) found.set(doc.domainHash, email.domain);
          if (found.size === domainHashes.length) break;
        }
      } finally {
        await cursor.close();
      }
      return found;
    },
  };
}

export type SignatureSearchRepository = ReturnType<typeof createSignatureSearchRepository>;
