import { randomBytes } from 'node:crypto';
import { Types, type Connection } from 'mongoose';
import { COUNTRY_CODES } from '../server/countries/countries.js';
import type { DataProtector } from '../server/shared/data-protector.js';
import { signatureId, type SignatureDoc } from '../server/signatures/signature-repository.js';
import { counter, type TallyChanges } from '../server/tallies/tally-service.js';

type NameOf = (i: number) => { firstName: string; lastName: string };

const BATCH = 10_000;
const DAY_MS = 86_400_000;
const COUNTRIES = [...COUNTRY_CODES].sort().slice(0, 184);

/**
 * The i-th benchmark signature, in the stored shape (see toDoc in signature-repository.ts), its
 * details sealed with the real protector so that the export pays the real decryption cost.
 * Every 20th was collected on paper, every 10th signer hid their name.
 */
function signatureDoc(protector: DataProtector, petitionId: Types.ObjectId, i: number, start: number, nameOf?: NameOf): SignatureDoc {
  const emailHash = randomBytes(32).toString('base64url');
  const paper = i % 20 === 7;
  const id = signatureId(petitionId.toHexString(), paper ? `paper:${emailHash}` : emailHash);
  const createdAt = new Date(start + Math.floor((i / 1_000_000) * 30 * DAY_MS));
  const details = { ...(nameOf ? nameOf(i) : { firstName: `First${i}`, lastName: `Last-${i % 997}` }), email: paper ? '' : `bench-${i}@example.org`, postcode: 'AB1 2CD', comment: '' };
  return {
    _id: id,
    petitionId,
    emailHash: paper ? `paper:${emailHash}` : emailHash,
    ...(paper ? {} : { domainHash: randomBytes(32).toString('base64url'), ipHash: randomBytes(32).toString('base64url') }),
    country: COUNTRIES[i % COUNTRIES.length]!,
    status: 'confirmed',
    source: paper ? 'paper' : 'online',
    ...(paper ? { collectedAt: createdAt, collectedWhere: 'Town square' } : {}),
    verification: 'email',
    consent: { updates: i % 3 === 0, hideName: i % 10 === 3 },
    pii: protector.seal(details, id),
    createdAt,
    confirmedAt: createdAt,
  };
}

/**
 * Inserts `rows` confirmed signatures in unordered batches, building the next batch while the
 * database writes the last, and returns the tally changes that count them.
 */
export async function seedSignatures(connection: Connection, protector: DataProtector, petitionId: string, rows: number, nameOf?: NameOf): Promise<TallyChanges> {
  const collection = connection.collection('signatures');
  const pid = new Types.ObjectId(petitionId);
  const start = Date.now() - 31 * DAY_MS;
  const changes: TallyChanges = {};
  const add = (key: string) => (changes[key] = (changes[key] ?? 0) + 1);
  const began = Date.now();
  let writing: Promise<unknown> = Promise.resolve();
  for (let from = 0; from < rows; from += BATCH) {
    const docs = [];
    for (let i = from; i < Math.min(rows, from + BATCH); i++) {
      const doc = signatureDoc(protector, pid, i, start, nameOf);
      add(doc.source === 'paper' ? counter.paper(doc.country) : counter.confirmed(doc.country));
      add(counter.day(doc.createdAt));
      docs.push(doc);
    }
    await writing;
    writing = collection.insertMany(docs as never[], { ordered: false });
    if ((from / BATCH) % 10 === 9) {
      const s = (Date.now() - began) / 1000;
      console.log(`seeded ${from + BATCH} of ${rows} signatures (${s.toFixed(0)} s, ${((from + BATCH) / s).toFixed(0)}/s)`);
    }
  }
  await writing;
  return changes;
}
