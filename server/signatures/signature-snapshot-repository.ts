import { Readable } from 'node:stream';
import { Types, type Connection } from 'mongoose';
import type { DataProtector } from '../shared/data-protector.js';
import { readAheadBatches } from '../shared/read-ahead.js';
import { piiOf, signatureModel, type SignatureDoc } from './signature-repository.js';
import type { SignerDetails } from './signature-types.js';

/** A signature counted in a packet: only what a packet may show or needs to order it. */
export interface CountedSigner {
  id: string;
  country: string;
  /** Null when the signer hid their name, or the caller asked for none: then it is never decrypted. */
  name: { firstName: string; lastName: string } | null;
  hideName: boolean;
  /** When it was counted: confirmation, or import for paper (both set confirmedAt). */
  countedAt: Date;
}

/**
 * A counted signature as an export may show it: never hashes, ref or status. The details stay
 * sealed, so that an export opens only the names it shows.
 */
export type SignatureForExport = Pick<SignatureDoc, '_id' | 'country' | 'source' | 'consent' | 'createdAt' | 'collectedAt' | 'collectedWhere' | 'language'> & { pii: Buffer };

type CountedDoc = Pick<SignatureDoc, '_id' | 'country' | 'consent' | 'pii' | 'confirmedAt'>;

const EXPORT_FIELDS = { _id: 1, country: 1, source: 1, consent: 1, pii: 1, createdAt: 1, collectedAt: 1, collectedWhere: 1, language: 1 };

// Batch sizes change neither speed nor memory much on the embedded database, which reads the whole
// collection for these filters (docs/embedded-database.md); these bound the documents in flight.
const PACKET_BATCH = 5000;
const EXPORT_BATCH = 1000;

/** The counted signatures of a petition, read in one pass for a packet or an export. */
export function createSignatureSnapshotRepository(connection: Connection, protector: DataProtector) {
  const signatures = signatureModel(connection).collection;

  return {
    /**
     * The signatures counted at `cutoff` and still counted now (an invalidated one is never
     * delivered), for the given countries or all, a batch at a time as the database sends them.
     * Unordered: the packet sorts what it needs. Only the names a packet may print are decrypted
     * (`names: false`: none).
     */
    async *counted(petitionId: string, cutoff: Date, countries: string[] | null, { names = true } = {}): AsyncGenerator<CountedSigner[]> {
      const filter = {
        petitionId: new Types.ObjectId(petitionId),
        status: 'confirmed',
        confirmedAt: { $lte: cutoff },
        ...(countries ? { country: { $in: countries } } : {}),
      };
      const cursor = signatures.find<CountedDoc>(filter, {
        projection: { _id: 1, country: 1, consent: 1, pii: 1, confirmedAt: 1 },
        batchSize: PACKET_BATCH,
        promoteBuffers: true,
      });
      for await (const batch of readAheadBatches(cursor)) {
        yield batch.map((doc) => {
          const hideName = !!doc.consent?.hideName;
          const details = names && !hideName ? protector.open<SignerDetails>(piiOf(doc), doc._id) : null;
          return {
            id: doc._id,
            country: doc.country,
            name: details && { firstName: details.firstName, lastName: details.lastName },
            hideName,
            countedAt: doc.confirmedAt!,
          };
        });
      }
    },

    /**
     * The counted signatures of a petition (confirmed online and paper), a batch at a time as the
     * database sends them, each batch passed through `map`, as an object-mode stream with
     * backpressure. It holds one mapped batch while the cursor fetches the next. Destroying the
     * stream closes the database cursor.
     */
    forExport<T>(petitionId: string, map: (batch: SignatureForExport[]) => T): Readable {
      const cursor = signatures.find<SignatureForExport>({ petitionId: new Types.ObjectId(petitionId), status: 'confirmed' }, { projection: EXPORT_FIELDS, batchSize: EXPORT_BATCH, promoteBuffers: true });
      return Readable.from(mapped(readAheadBatches(cursor), map), { highWaterMark: 1 });
    },
  };
}

async function* mapped<T, U>(items: AsyncIterable<T>, map: (item: T) => U): AsyncGenerator<U> {
  for await (const item of items) yield map(item);
}

export type SignatureSnapshotRepository = ReturnType<typeof createSignatureSnapshotRepository>;
