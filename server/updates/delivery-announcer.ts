import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-repository.js';
import type { DeliveryTarget } from '../deliveries/target-types.js';
import type { OutboxRepository } from '../mail/outbox-repository.js';
import { sealRecipient } from '../mail/sealed-recipient.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { Petition } from '../petitions/petition-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import { AppError } from '../shared/errors.js';
import type { SignatureSubscriberRepository } from '../signatures/index.js';
import { deliveryJobId, deliveryMailingId, type DeliveryMailing } from './delivery-mailing.js';
import { DELIVERY_UPDATE } from './delivery-update-mail.js';

interface Deps {
  signatures: Pick<SignatureSubscriberRepository, 'subscribers'>;
  outbox: Pick<OutboxRepository, 'enqueueMany' | 'saveMailing' | 'deleteMailing'>;
  packets: { find(id: string): Promise<{ total: number } | null> };
  petitions: Pick<PetitionRepository, 'findById'>;
  audit: Pick<AuditLog, 'record'>;
  protector: DataProtector;
  logger: Logger;
  clock: () => Date;
  /** Outbox jobs per insert: each insert is one fsync on FerretDB. */
  batchSize?: number;
}

/**
 * Tells the signers who asked for updates about a delivery: one outbox job per signer, queued in
 * the background so that the organiser's request does not wait for a pass over every signature.
 * Announcing again (a retry, a second instance) queues nobody twice: job ids are per delivery and
 * signer, and the outbox skips ids it sent before.
 */
export function createDeliveryAnnouncer({ signatures, outbox, packets, petitions, audit, protector, logger, clock, batchSize = 1000 }: Deps) {
  const running = new Set<Promise<void>>();

  async function queueAll(target: DeliveryTarget, petition: Petition) {
    let signers = 0;
    let queued = 0;
    let batch: Parameters<typeof outbox.enqueueMany>[0] = [];
    const flush = async () => {
      queued += await outbox.enqueueMany(batch, clock());
      batch = [];
    };
    for await (const { id: signatureId, firstName, email, language } of signatures.subscribers(target.petitionId, batchSize)) {
      signers += 1;
      // The recipient travels sealed in the job, so sending never reads the signature back.
      if (!email) continue; // a paper signature without an address
      const recipient = sealRecipient(protector, signatureId, { firstName, email });
      // Each in the signer's language; a signature stored before languages were gets the petition's main one.
      const payload = { petitionId: target.petitionId, signatureId, targetId: target.id, lang: language ?? petition.language, recipient };
      batch.push({ id: deliveryJobId(target.id, signatureId), job: { kind: DELIVERY_UPDATE, payload } });
      if (batch.length >= batchSize) await flush();
    }
    await flush();
    const details = { target: target.id, packet: target.delivery!.packetId, signers, queued };
    await audit.record({ actor: target.delivery!.recordedBy, action: 'delivery.announce', petition: petition.slug, details, rows: queued });
    logger.info({ targetId: target.id, signers, queued }, 'delivery update emails queued');
  }

  return {
    /** Stores what the emails say and starts queuing them; resolves once started. Failures are logged, and announcing again resumes. */
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
      };
      await outbox.saveMailing(deliveryMailingId(target.id), { ...mailing }, clock());
      const task = queueAll(target, petition).catch((error: unknown) => {
        logger.error({ err: error, targetId: target.id }, 'queuing delivery update emails failed');
      });
      running.add(task);
      void task.finally(() => running.delete(task));
    },
    /** For a delivery record undone as a mistake: its update emails not yet sent are dropped. */
    async withdraw(targetId: string): Promise<void> {
      await outbox.deleteMailing(deliveryMailingId(targetId));
    },
    /** Resolves when every announcement started so far has queued its jobs (tests, shutdown). */
    async settle(): Promise<void> {
      while (running.size > 0) await Promise.all(running);
    },
  };
}

export type DeliveryAnnouncer = ReturnType<typeof createDeliveryAnnouncer>;
