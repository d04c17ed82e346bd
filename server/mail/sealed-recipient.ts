import type { DataProtector } from '../shared/data-protector.js';

export interface Recipient {
  firstName: string;
  email: string;
}

/**
 * The recipient carried in an outbox job, sealed with AES-GCM and bound to the signature id, so that
 * sending never reads the signatures collection, the largest there is: a mailing of every signer then
 * costs no lookup per email (see docs/embedded-database.md#access-paths).
 */
export const sealRecipient = (protector: DataProtector, signatureId: string, recipient: Recipient): string =>
  protector.seal({ firstName: recipient.firstName, email: recipient.email }, `outbox:${signatureId}`).toString('base64');

export const openRecipient = (protector: DataProtector, signatureId: string, sealed: string): Recipient =>
  protector.open<Recipient>(Buffer.from(sealed, 'base64'), `outbox:${signatureId}`);
