import { Types, type Connection } from 'mongoose';
import { isLanguage, type Language } from '../i18n/languages.js';
import type { DataProtector } from '../shared/data-protector.js';
import { piiOf, signatureModel, type SignatureDoc } from './signature-repository.js';
import type { SignerDetails } from './signature-types.js';

/** A signer who asked for updates: what an update email needs to reach them. */
export interface Subscriber {
  id: string;
  firstName: string;
  /** Empty for a paper signature collected without one. */
  email: string;
  /** The language they signed in; null for signatures stored before it was. */
  language: Language | null;
}

/** The signers who asked for news of a petition, and opting out of it. */
export function createSignatureSubscriberRepository(connection: Connection, protector: DataProtector) {
  const signatures = signatureModel(connection).collection;

  return {
    /**
     * A petition's confirmed signers who asked for updates. One streaming pass with a projection,
     * reading the details here so that the mail worker never looks a signature up.
     */
    async *subscribers(petitionId: string, batchSize: number): AsyncGenerator<Subscriber> {
      const cursor = signatures.find<Pick<SignatureDoc, '_id' | 'pii' | 'language'>>(
        { petitionId: new Types.ObjectId(petitionId), status: 'confirmed', 'consent.updates': true },
        { projection: { _id: 1, pii: 1, language: 1 }, batchSize },
      );
      try {
        for await (const doc of cursor) {
          const { firstName, email } = protector.open<SignerDetails>(piiOf(doc), doc._id);
          yield { id: doc._id, firstName, email, language: isLanguage(doc.language) ? doc.language : null };
        }
      } finally {
        await cursor.close();
      }
    },

    /**
     * Takes the signature out of later announcements, whose filter reads consent.updates (emails
     * already queued are stopped by the outbox's opt-out list). Idempotent; false when there is no
     * such signature. findOneAndUpdate by `_id` alone: the form the embedded database answers from
     * its index (docs/embedded-database.md).
     */
    async optOut(signatureId: string): Promise<boolean> {
      // No projection: FerretDB 1.24's findAndModify does not implement one.
      const before = await signatures.findOneAndUpdate({ _id: signatureId as never }, { $set: { 'consent.updates': false } });
      return before !== null;
    },
  };
}

export type SignatureSubscriberRepository = ReturnType<typeof createSignatureSubscriberRepository>;
