import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-repository.js';
import type { DeliveryTarget } from '../deliveries/target-types.js';
import type { OutboxRepository } from '../mail/outbox-repository.js';
import { sealRecipient } from '../mail/sealed-recipient.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { Petition } from '../petitions/petition-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import { AppError } from '../shared/errors.js';
import type { JobQueue, MailingQueuing } from '../mail/mailing-queuing.js';
import type { SignatureSubscriberRepository } from '../signatures/index.js';
import { deliveryJobId, deliveryMailingId, type DeliveryMailing } from './delivery-mailing.js';
import { DELIVERY_UPDATE } from './delivery-update-mail.js';

interface Deps {
  signatures: Pick<SignatureSubscriberRepository, 'subscribers'>;
  outbox: Pick<OutboxRepository, 'saveMailing' | 'deleteMailing' | 'findMailing'>;
  /** Queues each delivery's emails in the background, resumably (mail/mailing-queuing.ts). */
  queuing: Pick<MailingQueuing, 'register' | 'start' | 'settle'>;
  packets: { find(id: string): Promise<{ total: number } | null> };
  petitions: Pick<PetitionRepository, 'findById'>;
  audit: Pick<AuditLog, 'record'>;
  protector: DataProtector;
  logger: Logger;
  clock: () => Date;
  /** Signatures read per batch from the subscribers scan. */
  batchSize?: number;
}

/**
 * Tells the signers who asked for updates about a delivery: one outbox job per signer, queued in
 * the background so that the organiser's request does not wait for a pass over every signature.
 * Announcing again (a retry, a second instance) queues nobody twice: job ids are per delivery and
 * signer, and the outbox skips ids it sent before.
 */
export function createDeliveryAnnouncer({ signatures, outbox, packets, petitions, audit, protector, logger, clock, queuing, batchSize = 1000 }: Deps) {
  // An announcement cut short by a crash: the rest of its signers, from the stored mailing, once the queuer's hold lapsed.
  queuing.register('delivery:', async (id) => {
    const mailing = (await outbox.findMailing(id)) as DeliveryMailing | null;
    const petition = mailing && (await petitions.findById(mailing.petitionId));
    return mailing && petition && ((queue) => queueAll(mailing, petition, queue));
  });

  async function queueAll(mailing: DeliveryMailing, petition: Petition, queue: JobQueue) {
    const { petitionId, targetId } = mailing;
    let signers = 0;
    for await (const { id: signatureId, firstName, email, language } of signatures.subscribers(petitionId, batchSize)) {
      signers += 1;
      // The recipient travels sealed in the job, so sending never reads the signature back.
      if (!email) continue; // a paper signature without an address
      const recipient = sealRecipient(protector, signatureId, { firstName, email });
      // Each in the signer's language; a signature stored before languages were gets the petition's main one.
      const payload = { petitionId, signatureId, targetId, lang: language ?? petition.language, recipient };
      await queue.add(deliveryJobId(targetId, signatureId), { kind: DELIVERY_UPDATE, payload });
    }
    const queued = await queue.end();
    const details = { target: targetId, packet: mailing.packetId, signers, queued };
    // A mailing stored before it kept who recorded the delivery was resumed by maintenance.
    await audit.record({ actor: mailing.recordedBy ?? 'maintenance', action: 'delivery.announce', petition: petition.slug, details, rows: queued });
    logger.info({ targetId, signers, queued }, 'delivery update emails queued');
  }

  return {
    /** Stores what the emails say and starts queuing them; resolves once started. A queuing cut short is finished by maintenance (mail/mailing-queuing.ts). */
    async announce(target: DeliveryTarget): Promise<void> {
      const { delivery } = target;
      if (!delivery) throw new AppError(409, 'not_delivered', 'This target has no recorded delivery.');
      const [petition, packet] = await Promise.all([petitions.findById(target.petitionId), packets.find(delivery.packetId)]);
      if (!petition || !packet) throw new AppError(409, 'packet_unknown', 'The packet of this delivery no longer exists.');
      const mailing: DeliveryMailing = {
        petitionId: target.petitionId,
        targetId: target.id,
        packetId: delivery.packetId,
        place: target.name,
        recipientName: target.recipientName,
        recipientTitle: target.recipientTitle,
        city: target.city,
        country: target.country,
        deliveredAt: delivery.deliveredAt,
        total: packet.total,
        recordedBy: delivery.recordedBy,
      };
      await outbox.saveMailing(deliveryMailingId(target.id), { ...mailing }, clock());
      await queuing.start(deliveryMailingId(target.id), (queue) => queueAll(mailing, petition, queue));
    },
    /** For a delivery record undone as a mistake: its update emails not yet sent are dropped. */
    async withdraw(targetId: string): Promise<void> {
      await outbox.deleteMailing(deliveryMailingId(targetId));
    },
    /** Resolves when every announcement started so far has queued its jobs (tests, shutdown). */
    settle: () => queuing.settle(),
  };
}

export type DeliveryAnnouncer = ReturnType<typeof createDeliveryAnnouncer>;
