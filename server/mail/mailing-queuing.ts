import type { Logger } from 'pino';
import type { OutboxJob } from './message-kinds.js';
import type { OutboxRepository } from './outbox-repository.js';

/** How long an instance holds a mailing it queues without renewing; after that another may take it over. */
export const QUEUING_HOLD_MS = 10 * 60_000;

/** Where a mailing's task puts its jobs: written a batch at a time, the queuer's hold renewed after each batch. */
export interface JobQueue {
  add(id: string, job: OutboxJob): Promise<void>;
  /** Writes what is left; returns how many jobs were new (an id queued before is skipped). */
  end(): Promise<number>;
}

/** Queues a mailing's jobs. */
export type QueueTask = (queue: JobQueue) => Promise<void>;

/** The task that finishes a mailing cut short, rebuilt from what was stored (null: nothing left to queue). */
export type Resumer = (mailingId: string) => Promise<QueueTask | null>;

interface Deps {
  outbox: Pick<OutboxRepository, 'enqueueMany' | 'holdMailing' | 'claimMailing' | 'finishMailing' | 'unfinishedMailings'>;
  logger: Pick<Logger, 'warn' | 'error'>;
  clock: () => Date;
  /** Outbox jobs per insert: each insert is one fsync on FerretDB. */
  batchSize?: number;
}

/**
 * A mailing (a delivery's updates, an organiser's update) is queued in the background: one job per signer, over
 * a pass of the petition's signatures, long at campaign scale. A crash halfway would leave the rest of the signers
 * without it, so the queuer holds the mailing while it works (its hold renewed at each batch) and marks it
 * finished at the end; maintenance takes over a mailing whose hold lapsed, through the resumer its feature
 * registered for its id's prefix (`delivery:`, `update:`). Queuing again is harmless: job ids are per mailing and
 * signer, and the outbox sends each id once.
 */
export function createMailingQueuing({ outbox, logger, clock, batchSize = 1000 }: Deps) {
  const resumers = new Map<string, Resumer>();
  const running = new Set<Promise<void>>();
  const until = () => new Date(clock().getTime() + QUEUING_HOLD_MS);

  function jobQueue(mailingId: string): JobQueue {
    const batch: { id: string; job: OutboxJob }[] = [];
    let queued = 0;
    const flush = async () => {
      if (batch.length > 0) queued += await outbox.enqueueMany(batch.splice(0), clock());
      await outbox.holdMailing(mailingId, until());
    };
    return {
      async add(id, job) {
        batch.push({ id, job });
        if (batch.length >= batchSize) await flush();
      },
      async end() {
        await flush();
        return queued;
      },
    };
  }

  function run(mailingId: string, task: QueueTask) {
    const done = task(jobQueue(mailingId))
      .then(() => outbox.finishMailing(mailingId))
      .catch((error: unknown) => logger.error({ err: error, mailingId }, 'queuing a mailing failed; maintenance resumes it'));
    running.add(done);
    void done.finally(() => running.delete(done));
  }

  return {
    /** `prefix`: the start of the mailing ids this feature owns, e.g. `delivery:`. */
    register(prefix: string, resume: Resumer): void {
      if (resumers.has(prefix)) throw new Error(`Mailings "${prefix}" are registered twice.`);
      resumers.set(prefix, resume);
    },
    /** Takes the hold (before recording that the mailing was sent: a crash in between then leaves it to maintenance). */
    take: (mailingId: string): Promise<void> => outbox.holdMailing(mailingId, until(), true),
    /** Queues in the background under a hold taken; marks the mailing finished at the end. */
    run,
    /** Both: resolves once started. */
    async start(mailingId: string, task: QueueTask): Promise<void> {
      await outbox.holdMailing(mailingId, until(), true);
      run(mailingId, task);
    },
    /** Maintenance: takes over every mailing whose queuer stopped. Returns how many it took over. */
    async resumeUnfinished(): Promise<number> {
      let resumed = 0;
      for (const mailingId of await outbox.unfinishedMailings()) {
        const resume = [...resumers].find(([prefix]) => mailingId.startsWith(prefix))?.[1];
        if (!resume || !(await outbox.claimMailing(mailingId, clock(), until()))) continue;
        const task = await resume(mailingId);
        if (!task) {
          await outbox.finishMailing(mailingId);
          continue;
        }
        logger.warn({ mailingId }, 'resuming the queuing of a mailing cut short');
        run(mailingId, task);
        resumed += 1;
      }
      return resumed;
    },
    /** Resolves when every queuing started so far in this process has ended (tests, shutdown). */
    async settle(): Promise<void> {
      while (running.size > 0) await Promise.all(running);
    },
  };
}

export type MailingQueuing = ReturnType<typeof createMailingQueuing>;
