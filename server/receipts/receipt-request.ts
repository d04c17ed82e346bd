import { randomBytes } from 'node:crypto';
import type { MailLinks } from '../mail/mail-links.js';
import type { MailPlan, MessageKinds } from '../mail/message-kinds.js';
import type { OutboxRepository } from '../mail/outbox-repository.js';
import { textIn } from '../petitions/petition-text.js';
import type { Petition } from '../petitions/petition-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import { signatureId } from '../signatures/signature-repository.js';
import type { Signature } from '../signatures/signature-types.js';

export const RECEIPT_REQUEST = 'receipt-request';

/** The address as entered (canonical), sealed and bound to the job id: the queue never holds an address in the clear. */
export interface ReceiptRequestPayload {
  petitionId: string;
  lang: string;
  email: string;
}

interface Deps {
  outbox: Pick<OutboxRepository, 'enqueueMany'>;
  petitions: { findById(id: string): Promise<Petition | null> };
  /** One lookup by `_id`, the only kind the embedded database answers from an index (docs/embedded-database.md). */
  signatures: { findById(id: string): Promise<Signature | null> };
  protector: DataProtector;
  links: MailLinks;
  clock: () => Date;
}

const bound = (jobId: string) => `receipt-request:${jobId}`;

/**
 * "I lost my receipt": the request is queued whoever asks, and only the mail worker finds out whether that address
 * signed, so the answer (and the time it takes) cannot tell a signer from a stranger. The link goes to the address on
 * file of a confirmed signature, and nowhere else.
 */
export function createReceiptRequests(kinds: MessageKinds, { outbox, petitions, signatures, protector, links, clock }: Deps) {
  kinds.register(RECEIPT_REQUEST, {
    lane: 'urgent',
    async plan({ id, payload }: { id: string; payload: ReceiptRequestPayload }): Promise<MailPlan | null> {
      const canonical = protector.open<string>(Buffer.from(payload.email, 'base64'), bound(id));
      const signature = await signatures.findById(signatureId(payload.petitionId, protector.emailHash(canonical)));
      if (signature?.status !== 'confirmed') return null;
      const petition = await petitions.findById(payload.petitionId);
      if (!petition) return null;
      const { lang } = payload;
      const vars = { firstName: signature.details.firstName, title: textIn(petition, lang).title, receiptUrl: links.receiptUrl(lang, signature.id) };
      return { template: RECEIPT_REQUEST, to: signature.details.email, vars };
    },
  });

  return {
    /** Queues the request, whether or not `canonicalEmail` signed: the caller's answer must not depend on it. */
    async request(petitionId: string, canonicalEmail: string, lang: string): Promise<void> {
      const id = randomBytes(12).toString('hex');
      const email = protector.seal(canonicalEmail, bound(id)).toString('base64');
      const payload: ReceiptRequestPayload = { petitionId, lang, email };
      await outbox.enqueueMany([{ id, job: { kind: RECEIPT_REQUEST, payload: { ...payload } } }], clock());
    },
  };
}

export type ReceiptRequests = ReturnType<typeof createReceiptRequests>;
