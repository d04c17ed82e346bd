import { createHash, randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditLog } from '../audit/audit-repository.js';
import type { OutboxRepository } from '../mail/outbox-repository.js';
import { sealRecipient } from '../mail/sealed-recipient.js';
import { renderMarkdown } from '../petitions/markdown.js';
import type { Petition } from '../petitions/petition-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import { AppError, NotFoundError } from '../shared/errors.js';
import type { JobStatus } from '../shared/progress.js';
import type { JobQueue, MailingQueuing } from '../mail/mailing-queuing.js';
import type { SignatureSubscriberRepository } from '../signatures/index.js';
import { ORGANISER_UPDATE, updateMailing, type OrganiserUpdatePayload } from './organiser-update-mail.js';
import type { OrganiserUpdate, OrganiserUpdateRepository } from './organiser-update-repository.js';

interface Deps {
  repo: OrganiserUpdateRepository;
  petitions: { findBySlug(slug: string): Promise<Petition | null>; findById(id: string): Promise<Petition | null> };
  signatures: Pick<SignatureSubscriberRepository, 'subscribers'>;
  outbox: Pick<OutboxRepository, 'enqueue' | 'handled'>;
  audit: Pick<AuditLog, 'record'>;
  protector: DataProtector;
  logger: Logger;
  clock: () => Date;
  /** Queues each update's emails in the background, resumably (mail/mailing-queuing.ts). */
  queuing: Pick<MailingQueuing, 'register' | 'take' | 'run' | 'settle'>;
  batchSize?: number;
}

export const UPDATE_TITLE_MAX = 200;
export const UPDATE_BODY_MAX = 20_000;
const UPDATE_ID = /^[0-9a-f]{24}$/;

/** One outbox id per update and signer, so that sending twice queues once; the signature id is hashed, as ids reach logs. */
const jobId = (updateId: string, signatureId: string) => `update:${updateId}:${createHash('sha256').update(signatureId).digest('base64url').slice(0, 22)}`;

export interface UpdateText {
  title: string;
  body: string;
}

/** Title and body, trimmed; the problems by field name (catalogue keys under organiserUpdates.errors). */
export function readUpdateText(form: Record<string, unknown>): { text: UpdateText; errors: Record<string, string> } {
  const field = (name: string) => (typeof form[name] === 'string' ? form[name].trim() : '');
  const text = { title: field('title'), body: field('body').replace(/\r\n/g, '\n') };
  const errors: Record<string, string> = {};
  if (!text.title) errors.title = 'organiserUpdates.errors.titleMissing';
  else if (text.title.length > UPDATE_TITLE_MAX) errors.title = 'organiserUpdates.errors.titleTooLong';
  if (!text.body) errors.body = 'organiserUpdates.errors.bodyMissing';
  else if (text.body.length > UPDATE_BODY_MAX) errors.body = 'organiserUpdates.errors.bodyTooLong';
  return { text, errors };
}

/**
 * Organisers' updates to the signers who asked for them: a draft is previewed and test-sent, then sent once.
 * Queuing runs in the background like a delivery's announcement, resumably (mail/mailing-queuing.ts).
 */
export function createOrganiserUpdates({ repo, petitions, signatures, outbox, audit, protector, logger, clock, queuing, batchSize = 1000 }: Deps) {
  // A send cut short by a crash: the rest of its signers, once the queuer's hold lapsed (mail/mailing-queuing.ts).
  queuing.register('update:', async (mailing) => {
    const update = await repo.find(mailing.slice('update:'.length));
    const petition = update?.status === 'sent' && update.total === null ? await petitions.findById(update.petitionId) : null;
    return update && petition && ((queue) => queueAll(update, petition, update.sentBy ?? 'maintenance', queue));
  });

  async function petitionFor(slug: string): Promise<Petition> {
    const petition = await petitions.findBySlug(slug);
    if (!petition) throw new NotFoundError('There is no such petition.');
    return petition;
  }

  async function updateOf(petition: Petition, id: string): Promise<OrganiserUpdate> {
    const update = UPDATE_ID.test(id) ? await repo.find(id) : null;
    if (update?.petitionId !== petition.id) throw new NotFoundError('There is no such update.');
    return update;
  }

  async function queueAll(update: OrganiserUpdate, petition: Petition, actor: string, queue: JobQueue) {
    let total = 0;
    for await (const { id: signatureId, firstName, email } of signatures.subscribers(petition.id, batchSize)) {
      if (!email) continue; // a paper signature without an address
      total += 1;
      const payload: OrganiserUpdatePayload = { updateId: update.id, petitionId: petition.id, signatureId, sealedAs: signatureId, lang: update.lang, recipient: sealRecipient(protector, signatureId, { firstName, email }) };
      await queue.add(jobId(update.id, signatureId), { kind: ORGANISER_UPDATE, payload: { ...payload } });
    }
    const queued = await queue.end();
    await repo.setTotal(update.id, total);
    // No personal data: who sent which update to how many.
    await audit.record({ actor, action: 'update.send', petition: petition.slug, details: { update: update.id, title: update.title, signers: total, queued }, rows: total });
    logger.info({ updateId: update.id, total, queued }, 'organiser update emails queued');
  }

  return {
    petitionFor,
    async find(slug: string, id: string) {
      const petition = await petitionFor(slug);
      return { petition, update: await updateOf(petition, id) };
    },
    /** A new draft, or the draft `id` edited; a sent update cannot change. */
    async saveDraft(petition: Petition, id: string | undefined, text: UpdateText, by: string): Promise<OrganiserUpdate> {
      if (id) {
        const update = await updateOf(petition, id);
        if (!(await repo.editDraft(id, text))) throw new AppError(409, 'update_sent', 'This update has been sent already and can no longer change.');
        return { ...update, ...text };
      }
      const update: OrganiserUpdate = {
        ...{ id: randomBytes(12).toString('hex'), petitionId: petition.id, ...text, lang: petition.language, status: 'draft' },
        ...{ createdBy: by, createdAt: clock(), sentBy: null, sentAt: null, total: null },
      };
      await repo.insert(update);
      return update;
    },
    preview: (update: UpdateText) => renderMarkdown(update.body),
    /** The draft to the organiser alone, marked as a test. */
    async sendTest(update: OrganiserUpdate, to: string): Promise<void> {
      const sealedAs = `test:${update.id}`;
      const payload: OrganiserUpdatePayload = { updateId: update.id, petitionId: update.petitionId, sealedAs, lang: update.lang, recipient: sealRecipient(protector, sealedAs, { firstName: to.slice(0, to.indexOf('@')), email: to }) };
      await outbox.enqueue({ kind: ORGANISER_UPDATE, payload: { ...payload } }, clock());
    },
    /** Marks the update sent and starts queuing; resolves once started. Sending again queues nobody twice. */
    async send(petition: Petition, update: OrganiserUpdate, by: string): Promise<void> {
      const mailing = updateMailing(update.id);
      await queuing.take(mailing);
      // A second press finds it sent: the jobs' ids make queuing again harmless, but the audit log has one entry.
      if (!(await repo.markSent(update.id, by, clock()))) return;
      queuing.run(mailing, (queue) => queueAll({ ...update, status: 'sent' }, petition, by, queue));
    },
    /**
     * The progress bar's status: emails handled (sent, or dropped after an opt-out) of those queued, counted by the
     * mail worker as it goes, so that a poll reads one document however long the queue.
     */
    async status(update: OrganiserUpdate): Promise<JobStatus> {
      if (update.status === 'draft') throw new AppError(409, 'update_draft', 'This update has not been sent.');
      if (update.total === null) return { state: 'building', phase: 'writing', done: 0, total: 0 };
      const handled = Math.min(await outbox.handled(updateMailing(update.id)), update.total);
      return { state: handled === update.total ? 'ready' : 'building', phase: 'writing', done: handled, total: update.total };
    },
    list: (petition: Petition) => repo.listSent(petition.id),
    /** Resolves when every send started so far has queued its jobs (tests, shutdown). */
    settle: () => queuing.settle(),
  };
}

export type OrganiserUpdates = ReturnType<typeof createOrganiserUpdates>;
