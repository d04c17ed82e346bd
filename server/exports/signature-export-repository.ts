import type { Readable } from 'node:stream';
import { Types, type Connection } from 'mongoose';
import { signatureModel, type SignatureDoc } from '../signatures/signature-repository.js';

/** Only what an export may show or needs to decrypt it: never hashes, ref or status. */
export type ExportDoc = Pick<SignatureDoc, '_id' | 'country' | 'source' | 'consent' | 'createdAt' | 'collectedAt' | 'collectedWhere'> & { pii: Buffer };

const PROJECTION = { _id: 1, country: 1, source: 1, consent: 1, pii: 1, createdAt: 1, collectedAt: 1, collectedWhere: 1 };

// Large batches: FerretDB answers each getMore after decoding the whole batch, so fewer round trips
// keep it busy; 5,000 small documents are a few MB in flight, independent of the petition's size.
const BATCH_SIZE = 5000;

export function createSignatureExportRepository(connection: Connection) {
  const Signatures = signatureModel(connection);
  return {
    /**
     * The counted signatures of a petition (confirmed online and paper), as an object-mode stream
     * with backpressure. Destroying the stream closes the database cursor.
     */
    streamCounted(petitionId: string): Readable {
      return Signatures.collection
        .find<ExportDoc>({ petitionId: new Types.ObjectId(petitionId), status: 'confirmed' }, { projection: PROJECTION, batchSize: BATCH_SIZE, promoteBuffers: true })
        .stream();
    },
  };
}

export type SignatureExportRepository = ReturnType<typeof createSignatureExportRepository>;
