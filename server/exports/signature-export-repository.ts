import type { Readable } from 'node:stream';
import { Types, type Connection } from 'mongoose';
import { signatureModel, type SignatureDoc } from '../signatures/signature-repository.js';

/** Only what an export may show or needs to decrypt it: never hashes, ref or status. */
export type ExportDoc = Pick<SignatureDoc, '_id' | 'country' | 'source' | 'consent' | 'createdAt' | 'collectedAt' | 'collectedWhere'> & { pii: Buffer };

const PROJECTION = { _id: 1, country: 1, source: 1, consent: 1, pii: 1, createdAt: 1, collectedAt: 1, collectedWhere: 1 };

// FerretDB decodes every document of the collection whatever the batch size (measured: 200 to
// 5,000 made no difference to speed or memory); 1,000 keeps about 0.5 MB of documents in flight.
const BATCH_SIZE = 1000;

export function createSignatureExportRepository(connection: Connection) {
  const Signatures = signatureModel(connection);
  return {
    /**
     * The counted signatures of a petition (confirmed online and paper), each passed through `map`,
     * as an object-mode stream with backpressure. Destroying the stream closes the database cursor.
     */
    streamCounted<T>(petitionId: string, map: (doc: ExportDoc) => T): Readable {
      return Signatures.collection
        .find<ExportDoc>({ petitionId: new Types.ObjectId(petitionId), status: 'confirmed' }, { projection: PROJECTION, batchSize: BATCH_SIZE, promoteBuffers: true })
        .map(map)
        .stream();
    },
  };
}

export type SignatureExportRepository = ReturnType<typeof createSignatureExportRepository>;
