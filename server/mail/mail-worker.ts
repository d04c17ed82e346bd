import type { Logger } from 'pino';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { ConfirmTokenRepository } from '../signatures/confirm-token-repository.js';
import type { NoticeRepository } from '../signatures/notice-repository.js';
import type { SignatureRepository } from '../signatures/signature-repository.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { Petition } from '../petitions/petition-types.js';
import type { MailTemplates, TemplateName } from './mail-templates.js';
import type { MailTransport } from './mail-transport.js';
import type { ClaimedJob, OutboxRepository } from './outbox-repository.js';

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
  logger: Logger;
  clock: () => Date;
  /** True while signers are waiting: the worker then sends at most one message per `busyPauseMs`. */
  busy?: () => boolean;
  config: { baseUrl: string; tokenTtlHours: number; pollMs: number; maxAttempts: number; batchSize?: number; concurrency?: number; busyPauseMs?: number };
}

const LEASE_MS = 5 * 60_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
export const backoffMs = (attempt: number) => Math.min(30_000 * 2 ** attempt, 6 * 3600_000);

export function createMailWorker(deps: Deps) {
  const { outbox, petitions, signatures, tokens, notices, templates, transport, logger, clock, config, busy = () => false } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = true;
  const petitionById = createTtlCache<Petition | null>(5000);

  /** Decides, at send time, which message a signer gets; null when none is due. */
  async function compose(job: ClaimedJob) {
    const { petitionId, signatureId, firstSubmission, lang } = job.payload;
    const [signature, petition] = await Promise.all([signatures.findById(signatureId), petitionById.get(petitionId, () => petitions.findById(petitionId))]);
    if (!signature || !petition) return null;
    if (!firstSubmission && !(await notices.claimSlot(signature.id, MAX_NOTICES, clock()))) return null;

    const petitionUrl = `${config.baseUrl}/petitions/${petition.slug}`;
    const vars: Record<string, unknown> = { firstName: signature.details.firstName, title: petition.title, petitionUrl };
    let template: TemplateName;
    if (signature.status === 'pending') {
      const expiresAt = new Date(clock().getTime() + config.tokenTtlHours * 3600_000);
      vars.confirmUrl = `${config.baseUrl}/confirm/${await tokens.issue(signature.id, expiresAt)}`;
      vars.days = Math.round(config.tokenTtlHours / 24);
      template = 'confirm-signature';
    } else {
      template = firstSubmission ? 'signature-counted' : 'already-signed';
    }
    return { to: signature.details.email, ...templates.render(template, lang, vars) };
  }

  async function handle(job: ClaimedJob) {
    try {
      const mail = await compose(job);
      if (mail) await transport.send(mail);
      await outbox.complete(job);
    } catch (error) {
      const attempts = job.attempts + 1;
      // Log the kind of failure, never the message or the address.
      const reason = (error as { code?: string }).code ?? (error as Error).name;
      if (attempts >= config.maxAttempts) {
        logger.error({ jobId: job.id, attempts, reason }, 'mail job failed for good');
        await outbox.fail(job, reason);
      } else {
        logger.warn({ jobId: job.id, attempts, reason }, 'mail job failed, will retry');
        await outbox.retryLater(job, new Date(clock().getTime() + backoffMs(job.attempts)), reason);
      }
    }
  }

  /** Processes what is due now; returns how many jobs it handled. */
  async function runOnce(): Promise<number> {
    const jobs = await outbox.claimDue(clock(), config.batchSize ?? 100, LEASE_MS);
    const queue = [...jobs];
    const pause = config.busyPauseMs ?? 100;
    const workers = Array.from({ length: config.concurrency ?? 2 }, async (_, slot) => {
      for (let job = queue.shift(); job; job = queue.shift()) {
        // Under a signing flood only one slot keeps a trickle going; the others wait it out.
        while (busy() && slot > 0) await sleep(pause);
        await handle(job);
        if (busy()) await sleep(pause);
      }
    });
    await Promise.all(workers);
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
