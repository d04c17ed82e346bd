import { Types, type Connection } from 'mongoose';
import type { DataProtector } from '../shared/data-protector.js';
import { piiOf, signatureModel, type SignatureDoc } from '../signatures/signature-repository.js';
import type { SignerDetails } from '../signatures/signature-types.js';

/** A signature counted in a packet: only what a packet may show or needs to order it. */
export interface CountedSigner {
  id: string;
  country: string;
  name: { firstName: string; lastName: string };
  hideName: boolean;
  /** When it was counted: confirmation, or import for paper (the repository sets confirmedAt for both). */
  countedAt: Date;
}

type SourceDoc = Pick<SignatureDoc, '_id' | 'country' | 'consent' | 'pii' | 'confirmedAt'>;

// FerretDB decodes every document whatever the batch size, but answers 5,000 at a time about 8%
// faster than 1,000 (measured at 323,832); 5,000 documents are about 4 MB in flight.
const BATCH_SIZE = 5000;

export function createPacketSource(connection: Connection, protector: DataProtector) {
  const Signatures = signatureModel(connection);
  return {
    /**
     * The signatures counted at `cutoff` and still counted now (an invalidated one is never
     * delivered), for the given countries or all. Unordered: the packet sorts what it needs.
     */
    async *counted(petitionId: string, cutoff: Date, countries: string[] | null): AsyncGenerator<CountedSigner> {
      const filter = {
        petitionId: new Types.ObjectId(petitionId),
        status: 'confirmed',
        confirmedAt: { $lte: cutoff },
        ...(countries ? { country: { $in: countries } } : {}),
      };
      const cursor = Signatures.collection.find<SourceDoc>(filter, {
        projection: { _id: 1, country: 1, consent: 1, pii: 1, confirmedAt: 1 },
        batchSize: BATCH_SIZE,
        promoteBuffers: true,
      });
      try {
        for await (const doc of cursor) {
          const details = protector.open<SignerDetails>(piiOf(doc), doc._id);
          yield {
            id: doc._id,
            country: doc.country,
            name: { firstName: details.firstName, lastName: details.lastName },
            hideName: !!doc.consent?.hideName,
            countedAt: doc.confirmedAt!,
          };
        }
      } finally {
        await cursor.close();
      }
    },
  };
}
export type PacketSource = ReturnType<typeof createPacketSource>;
