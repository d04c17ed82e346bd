import { createHash } from 'node:crypto';

/**
 * What every update email about one delivery says, frozen when the delivery is announced: all
 * signers read the same facts even if the target is edited later, and the mail worker needs no
 * access to targets or packets. Nothing personal.
 */
export interface DeliveryMailing {
  petitionId: string;
  targetId: string;
  packetId: string;
  /** The target's name, e.g. "Embassy of the People's Republic of China, London". */
  place: string;
  recipientName: string;
  recipientTitle: string;
  city: string;
  country: string;
  deliveredAt: Date;
  /** Signatures in the packet handed over. */
  total: number;
  /** Who recorded the delivery (the audit log's actor for the announcement); absent in mailings stored before. */
  recordedBy?: string;
}

export const deliveryMailingId = (targetId: string) => `delivery:${targetId}`;

/**
 * One outbox id per delivery and signer, so that queuing twice queues once. The signature id is
 * hashed: outbox ids end up in logs, and the signature id contains the email's keyed hash.
 */
export const deliveryJobId = (targetId: string, signatureId: string) =>
  `delivery:${targetId}:${createHash('sha256').update(signatureId).digest('base64url').slice(0, 22)}`;
