import type { Logger } from 'pino';
import type { MailTemplates } from './mail-templates.js';
import type { MailTransport } from './mail-transport.js';
import type { ClaimedJob, MailPlan, MessageKind, MessageKinds } from './message-kinds.js';
import type { OutboxRepository } from './outbox-repository.js';

interface Deps {
  outbox: OutboxRepository;
  /** What each kind of job becomes: registered by the features in composition. */
  kinds: Pick<MessageKinds, 'get'>;
  templates: MailTemplates;
  transport: MailTransport;
  logger: Logger;
  clock: () => Date;
  /** True while signers are waiting: the worker then keeps only a trickle going (see runOnce). */
  busy?: () => boolean;
  config: {
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

interface Planned {
  job: ClaimedJob;
  kind: MessageKind<unknown>;
  mail: MailPlan;
}

/** Sent messages recorded in one write; a crash resends at most this many (and those in flight). */
const RECORD_EVERY = 25;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** Exponential backoff from `baseMs`, capped at six hours. */
export const backoffMs = (attempt: number, baseMs = 30_000) => Math.min(baseMs * 2 ** attempt, 6 * 3600_000);

export function createMailWorker(deps: Deps) {
  const { outbox, kinds, templates, transport, logger, clock, config, busy = () => false } = deps;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<number> | null = null;
  let stopped = true;

  async function plan(job: ClaimedJob): Promise<Planned | null> {
    const kind = kinds.get(job.kind);
    const mail = await kind.plan(job);
    return mail && { job, kind, mail };
  }

  /** Lets each kind prepare its plans (one write each) and takes the send-once marks; returns what to send. */
  async function prepare(plans: Planned[], done: ClaimedJob[]): Promise<Planned[]> {
    try {
      for (const kind of new Set(plans.map((p) => p.kind))) {
        await kind.prepare?.(plans.filter((p) => p.kind === kind).map((p) => p.mail));
      }
      const sentBefore = await outbox.takeSent(plans.filter((p) => p.kind.oncePerId).map((p) => p.job), clock());
      done.push(...plans.filter((p) => sentBefore.has(p.job.id)).map((p) => p.job));
      return plans.filter((p) => !sentBefore.has(p.job.id));
    } catch (error) {
      for (const p of plans) await failed(p.job, error);
      return [];
    }
  }

  /** Per mailing, how many of `jobs` are in it (MessageKind.mailingOf). */
  function mailingsOf(jobs: ClaimedJob[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const job of jobs) {
      let mailing: string | null | undefined;
      try {
        mailing = kinds.get(job.kind).mailingOf?.(job.payload);
      } catch {
        mailing = null; // an unregistered kind is no mailing's
      }
      if (mailing) counts.set(mailing, (counts.get(mailing) ?? 0) + 1);
    }
    return counts;
  }

  /** Jobs done with (sent, or no longer due): counted for their mailings' progress, then removed. */
  async function finish(jobs: ClaimedJob[]) {
    if (jobs.length === 0) return;
    await outbox.countHandled(mailingsOf(jobs));
    await outbox.completeMany(jobs);
  }

  async function failed(job: ClaimedJob, error: unknown) {
    // Log the kind of failure, never the message or the address.
    const reason = String((error as { code?: string }).code ?? (error as Error).name);
    if (job.attempts + 1 >= config.maxAttempts) {
      logger.error({ jobId: job.id, attempts: job.attempts + 1, reason }, 'mail job failed for good');
      await outbox.countHandled(mailingsOf([job]));
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
    // Kept in claim order (urgent first), not in the order the plans finish: a confirmation's plan writes a
    // token and would otherwise queue behind the quicker plans of a mailing claimed with it.
    const byClaim: (Planned | undefined)[] = [];
    const done: ClaimedJob[] = [];
    await eachLimited([...jobs.entries()], async ([at, job]) => {
      try {
        const p = await plan(job);
        if (p) byClaim[at] = p;
        else done.push(job);
      } catch (error) {
        await failed(job, error);
      }
    });
    const plans = byClaim.filter((p): p is Planned => p !== undefined);
    await eachLimited(await prepare(plans, done), async (p) => {
      try {
        const { template, to, vars, headers } = p.mail;
        await transport.send({ to, ...templates.render(template, p.job.payload.lang, vars), ...(headers ? { headers } : {}) });
        done.push(p.job);
      } catch (error) {
        await failed(p.job, error);
      }
      // Recorded as they go: a crash then sends again only what was sent since the last record.
      if (done.length >= RECORD_EVERY) await finish(done.splice(0));
    });
    await finish(done);
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
