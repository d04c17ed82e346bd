import type { Logger } from 'pino';
import { localisedPath } from '../i18n/languages.js';
import { textIn } from '../petitions/petition-text.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { Petition } from '../petitions/petition-types.js';
import { createReceiptTokens, type ReceiptTokens } from '../receipts/receipt-token.js';
import type { DataProtector } from '../shared/data-protector.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { ConfirmTokenRepository, TokenTarget } from '../signatures/confirm-token-repository.js';
import type { NoticeRepository } from '../signatures/notice-repository.js';
import type { SignatureRepository } from '../signatures/signature-repository.js';
import { sealVia } from '../signatures/share-seal.js';
import { createDeliveryUpdateMail } from '../updates/delivery-update-mail.js';
import { createUnsubscribeTokens } from '../updates/unsubscribe-token.js';
import type { MailTemplates, TemplateName } from './mail-templates.js';
import type { MailTransport } from './mail-transport.js';
import type { ClaimedJob, OutboxRepository, SignatureCountedJob, SignatureMailJob } from './outbox-repository.js';
import { openRecipient, sealRecipient } from './sealed-recipient.js';

/** Repeat submissions may trigger at most this many emails per signature. */
export const MAX_NOTICES = 3;

interface Deps {
  outbox: OutboxRepository;
  petitions: PetitionRepository;
  signatures: SignatureRepository;
  tokens: ConfirmTokenRepository;
  notices: NoticeRepository;
  templates: MailTemplates;
  transport: MailTransport;
  protector: DataProtector;
  /** Receipt links; by default made from `protector` (any sealing of a signature id is a valid link). */
  receiptTokens?: ReceiptTokens;
  logger: Logger;
  clock: () => Date;
  /** True while signers are waiting: the worker then keeps only a trickle going (see runOnce). */
  busy?: () => boolean;
  config: {
    baseUrl: string;
    tokenTtlHours: number;
    pollMs: number;
    maxAttempts: number;
    retryBaseMs?: number;
    batchSize?: number;
    concurrency?: number;
    busyPauseMs?: number;
    /** How long a claimed job is left to its worker before another takes it up (the worker died). */
    leaseMs?: number;
  };
}

interface Plan {
  job: ClaimedJob;
  template: TemplateName;
  to: string;
  vars: Record<string, unknown>;
  headers?: Record<string, string>;
  target?: TokenTarget;
}

/** Sent messages recorded in one write; a crash resends at most this many (and those in flight). */
const RECORD_EVERY = 25;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Exponential backoff from `baseMs`, capped at six hours. */
export const backoffMs = (attempt: number, baseMs = 30_000) => Math.min(baseMs * 2 ** attempt, 6 * 3600_000);

export function createMailWorker(deps: Deps) {
  const { outbox, petitions, signatures, tokens, notices, templates, transport, protector, logger, clock, config, busy = () => false } = deps;
  const petitionById = createTtlCache<Petition | null>(5000);
  const petition = (id: string) => petitionById.get(id, () => petitions.findById(id));
  const receiptTokens = deps.receiptTokens ?? createReceiptTokens(protector);
  /** Every link in an email opens the site in the email's language. */
  const link = (lang: string, path: string) => `${config.baseUrl}${localisedPath(lang, path)}`;
  const receiptUrl = (lang: string, signatureId: string) => link(lang, `/receipts/${receiptTokens.issue(signatureId)}`);
  const unsubscribeTokens = createUnsubscribeTokens(protector);
  const planDeliveryUpdate = createDeliveryUpdateMail({ outbox, protector, petition, receiptTokens, unsubscribeTokens, link });
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = true;

  /** Decides which message a job becomes; null when none is due (deleted petition, notice cap reached). */
  async function plan(job: ClaimedJob): Promise<Plan | null> {
    if (job.kind === 'delivery-update') {
      const mail = await planDeliveryUpdate(job);
      return mail && { job, ...mail };
    }
    if (job.kind === 'signature-counted') return planCountedMail(job);
    return planSignatureMail(job);
  }

  /** What every signing email says of its petition, in the email's language. */
  const petitionVars = (found: Petition, lang: string): Record<string, unknown> => ({ title: textIn(found, lang).title, petitionUrl: link(lang, `/petitions/${found.slug}`) });

  /**
   * A job's language is the page's the person signed on (for a repeat, the page they are on now): the
   * signature stores it, so that later emails (a reminder, "counted", updates) are in it too.
   */
  async function planSignatureMail(job: SignatureMailJob & ClaimedJob): Promise<Plan | null> {
    const { petitionId, signatureId, country, ref = null, referrer = null, via = null, firstSubmission, recipient, lang } = job.payload;
    const found = await petition(petitionId);
    if (!found) return null;
    const vars = petitionVars(found, lang);

    if (firstSubmission) {
      // A first submission's state is known without reading the signature back.
      const { firstName, email } = openRecipient(protector, signatureId, recipient);
      if (found.verification === 'none') return { job, template: 'signature-counted', to: email, vars: { ...vars, firstName, receiptUrl: receiptUrl(lang, signatureId) } };
      return { job, template: 'confirm-signature', to: email, vars: { ...vars, firstName }, target: { signatureId, petitionId, country, ref, referrer, via, recipient, lang } };
    }
    // A repeat: tell the address on file, at most MAX_NOTICES times per signature.
    const signature = await signatures.findById(signatureId);
    if (!signature || !(await notices.claimSlot(signature.id, MAX_NOTICES, clock()))) return null;
    const template = signature.status === 'pending' ? 'confirm-signature' : 'already-signed';
    const { firstName, email } = signature.details;
    // The signature's own ref, source and language, not the repeat's: only what its owner signed with is counted.
    const target = {
      signatureId,
      petitionId,
      country: signature.country,
      ref: signature.ref,
      referrer: signature.referrer,
      via: sealVia(protector, signatureId, signature.share.via),
      recipient: sealRecipient(protector, signatureId, { firstName, email }),
      lang: signature.language ?? lang,
    };
    // A receipt only for a counted signature; this email goes to the address on file, so the link reaches its owner.
    if (signature.status === 'confirmed') vars.receiptUrl = receiptUrl(lang, signatureId);
    return { job, template, to: email, vars: { ...vars, firstName }, target };
  }

  /** After a confirmation: queued with the token's sealed recipient and language, so it reads no signature. */
  async function planCountedMail(job: SignatureCountedJob & ClaimedJob): Promise<Plan | null> {
    const { petitionId, signatureId, recipient, lang } = job.payload;
    const found = await petition(petitionId);
    if (!found) return null;
    const { firstName, email } = openRecipient(protector, signatureId, recipient);
    return { job, template: 'signature-counted', to: email, vars: { ...petitionVars(found, lang), firstName, receiptUrl: receiptUrl(lang, signatureId) } };
  }

  async function issueTokens(plans: Plan[]) {
    const needing = plans.filter((p) => p.template === 'confirm-signature');
    const expiresAt = new Date(clock().getTime() + config.tokenTtlHours * 3600_000);
    const issued = await tokens.issueMany(needing.map((p) => p.target!), expiresAt);
    needing.forEach((p, i) => {
      p.vars.confirmUrl = link(p.job.payload.lang, `/confirm/${issued[i]}`);
      p.vars.days = Math.round(config.tokenTtlHours / 24);
    });
  }

  /** Issues the batch's confirmation tokens and takes its send-once marks, one write each; returns what to send. */
  async function prepare(plans: Plan[], done: ClaimedJob[]): Promise<Plan[]> {
    try {
      await issueTokens(plans);
      // A delivery update goes out once per job id, even when queued again after an earlier one was sent (and deleted).
      const sentBefore = await outbox.takeSent(plans.filter((p) => p.job.kind === 'delivery-update').map((p) => p.job), clock());
      done.push(...plans.filter((p) => sentBefore.has(p.job.id)).map((p) => p.job));
      return plans.filter((p) => !sentBefore.has(p.job.id));
    } catch (error) {
      for (const p of plans) await failed(p.job, error);
      return [];
    }
  }

  async function failed(job: ClaimedJob, error: unknown) {
    // Log the kind of failure, never the message or the address.
    const reason = String((error as { code?: string }).code ?? (error as Error).name);
    if (job.attempts + 1 >= config.maxAttempts) {
      logger.error({ jobId: job.id, attempts: job.attempts + 1, reason }, 'mail job failed for good');
      await outbox.fail(job, reason);
    } else {
      logger.warn({ jobId: job.id, attempts: job.attempts + 1, reason }, 'mail job failed, will retry');
      await outbox.retryLater(job, new Date(clock().getTime() + backoffMs(job.attempts, config.retryBaseMs)), reason);
    }
  }

  /** Runs `task` over items with a bounded number in flight; under a signing flood, one at a time with pauses. */
  async function eachLimited<T>(items: T[], task: (item: T) => Promise<void>) {
    const queue = [...items];
    const pause = config.busyPauseMs ?? 100;
    await Promise.all(
      Array.from({ length: config.concurrency ?? 2 }, async (_, slot) => {
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) {
          while (busy() && slot > 0) await sleep(pause);
          await task(item);
          if (busy()) await sleep(pause);
        }
      }),
    );
  }

  /**
   * One pass: claim a batch, work out each message, prepare them (see above), send,
   * then remove the sent jobs in one write. Returns how many jobs it claimed.
   */
  async function runOnce(): Promise<number> {
    const jobs = await outbox.claimDue(clock(), config.batchSize ?? 500, config.leaseMs ?? 5 * 60_000);
    const plans: Plan[] = [];
    const done: ClaimedJob[] = [];
    await eachLimited(jobs, async (job) => {
      try {
        const p = await plan(job);
        if (p) plans.push(p);
        else done.push(job);
      } catch (error) {
        await failed(job, error);
      }
    });
    await eachLimited(await prepare(plans, done), async (p) => {
      try {
        await transport.send({ to: p.to, ...templates.render(p.template, p.job.payload.lang, p.vars), ...(p.headers ? { headers: p.headers } : {}) });
        done.push(p.job);
      } catch (error) {
        await failed(p.job, error);
      }
      // Recorded as they go: a crash then sends again only what was sent since the last record.
      if (done.length >= RECORD_EVERY) await outbox.completeMany(done.splice(0));
    });
    await outbox.completeMany(done);
    return jobs.length;
  }

  function schedule(delay: number) {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runOnce();
      running
        .then((n) => schedule(n > 0 ? 0 : config.pollMs))
        .catch((error: unknown) => {
          logger.error({ err: error }, 'mail worker pass failed');
          schedule(config.pollMs * 4);
        });
    }, delay);
  }

  return {
    runOnce,
    start() {
      stopped = false;
      schedule(0);
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running?.catch(() => undefined);
    },
  };
}

export type MailWorker = ReturnType<typeof createMailWorker>;
