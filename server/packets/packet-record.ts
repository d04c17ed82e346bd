import { createHmac } from 'node:crypto';
import { leafHash } from './merkle.js';
import type { NamePolicy, PacketRecord } from './packet-types.js';

const initial = (word: string) => {
  const first = [...word.trim()][0];
  return first ? `${first.toLocaleUpperCase()}.` : '';
};
const words = (text: string) => text.trim().split(/\s+/u).filter(Boolean);

/**
 * The name a packet shows under a policy. A signer who asked to hide their name is shown by country
 * only whatever the policy: that choice is theirs, not the organiser's.
 */
export function displayName(details: { firstName: string; lastName: string } | null, hideName: boolean, policy: NamePolicy): string {
  if (!details || hideName || policy === 'none') return '';
  const first = details.firstName.trim();
  const last = details.lastName.trim();
  switch (policy) {
    case 'full':
      return [first, last].filter(Boolean).join(' ');
    case 'first-initial':
      return [first, initial(last)].filter(Boolean).join(' ');
    case 'initials':
      return [...words(first), ...words(last)].map(initial).join(' ');
  }
}

/** The bytes a leaf commits to: the record as canonical JSON (fixed key order, no spaces). */
export const recordBytes = (record: PacketRecord): Buffer => Buffer.from(JSON.stringify({ country: record.country, name: record.name }), 'utf8');

/** A signer's leaf: SHA-256(0x00 ‖ salt ‖ record). The secret salt stops anyone testing guessed names against a published proof. */
export const leafOf = (record: PacketRecord, salt: Buffer): Buffer => leafHash(Buffer.concat([salt, recordBytes(record)]));

/** Per-signature salts: HMAC of the signature id under a key derived for this purpose only; stable, so that packets are reproducible. */
export function createSaltMaker(key: Buffer) {
  return (signatureId: string): Buffer => createHmac('sha256', key).update(signatureId, 'utf8').digest();
}
export type SaltMaker = ReturnType<typeof createSaltMaker>;
