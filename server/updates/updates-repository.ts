import { Types, type Connection } from 'mongoose';
import { piiOf, signatureModel, type SignatureDoc } from '../signatures/signature-repository.js';

/** The signatures collection as the update emails need it: who asked for updates, and opting out. */
export function createUpdatesRepository(connection: Connection) {
  const Signatures = signatureModel(connection);
  return {
    /**
     * A petition's confirmed signers who asked for updates, with their sealed details. One streaming
     * pass with a projection: on FerretDB every filter other than _id decodes the whole collection
     * anyway, and reading the details here spares the mail worker one _id scan per email.
     */
    async *subscribers(petitionId: string, batchSize: number): AsyncGenerator<{ id: string; pii: Buffer }> {
      const cursor = Signatures.collection.find<Pick<SignatureDoc, '_id' | 'pii'>>(
        { petitionId: new Types.ObjectId(petitionId), status: 'confirmed', 'consent.updates': true },
        { projection: { _id: 1, pii: 1 }, batchSize },
      );
      for await (const doc of cursor) yield { id: doc._id, pii: piiOf(doc) };
    },
    /**
     * Takes the signature out of later announcements, whose filter reads consent.updates (emails
     * already queued are stopped by the outbox's opt-out list). Idempotent. findOneAndUpdate by _id
     * alone: FerretDB runs it through its SQL _id filter, while updateOne would decode every
     * signature. False when there is no such signature.
     */
    async optOut(signatureId: string): Promise<boolean> {
      // No projection: FerretDB 1.24's findAndModify does not implement one.
      const before = await Signatures.collection.findOneAndUpdate({ _id: signatureId as never }, { $set: { 'consent.updates': false } });
      return before !== null;
    },
  };
}

export type UpdatesRepository = ReturnType<typeof createUpdatesRepository>;
