import { randomBytes } from 'node:crypto';
import type { Connection } from 'mongoose';
import type { DataProtector } from '../../server/shared/data-protector.js';
import { createSignatureRepository, type NewSignatureRecord } from '../../server/signatures/signature-repository.js';

export interface StoredSigner {
  firstName?: string;
  lastName?: string;
  country?: string;
  status?: NewSignatureRecord['status'];
  hideName?: boolean;
  source?: 'online' | 'paper';
  collectedAt?: Date;
  collectedWhere?: string;
  createdAt?: Date;
}

/** The id of a petition created through the services, read back by slug. */
export async function petitionIdOf(connection: Connection, slug: string): Promise<string> {
  const doc = await connection.collection('petitions').findOne({ slug });
  if (!doc) throw new Error(`no petition ${slug}`);
  return (doc._id as { toHexString(): string }).toHexString();
}

/**
 * Signatures stored through the signature repository, exactly as signing or a paper import would
 * store them, each with a unique email and postcode the export must never show.
 */
export async function givenSignatures(connection: Connection, protector: DataProtector, petitionId: string, signers: StoredSigner[]) {
  const repo = createSignatureRepository(connection, protector);
  const records = signers.map((s): NewSignatureRecord => {
    const email = `secret-${randomBytes(4).toString('hex')}@example.org`;
    return {
      petitionId,
      emailHash: (s.source === 'paper' ? 'paper:' : '') + protector.emailHash(email),
      domainHash: protector.domainHash('example.org'),
      ipHash: protector.ipHash('192.0.2.1'),
      country: s.country ?? 'GB',
      status: s.status ?? 'confirmed',
      verification: 'email',
      consent: { updates: false, hideName: s.hideName ?? false },
      ref: null,
      details: { firstName: s.firstName ?? 'Mihrigul', lastName: s.lastName ?? 'Tursun', email, postcode: 'SW1A 1AA', comment: 'my private comment' },
      createdAt: s.createdAt ?? new Date('2024-05-01T10:00:00.000Z'),
      source: s.source ?? 'online',
      ...(s.collectedAt ? { collectedAt: s.collectedAt } : {}),
      ...(s.collectedWhere ? { collectedWhere: s.collectedWhere } : {}),
    };
  });
  const outcome = await repo.insertMany(records);
  if (outcome.some((o) => o !== 'created')) throw new Error('duplicate test signature');
  return records;
}
