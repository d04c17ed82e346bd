import type { Logger } from 'pino';

const DAY_MS = 24 * 3600_000;

interface Deps {
  tokens: { deleteExpired(before: Date): Promise<number> };
  outbox: { deleteStaleClaims(before: Date): Promise<number> };
  sessions: { deleteExpired(before: Date): Promise<number> };
  /** Counts published with delay (tallies/published-counts.ts); checked every minute, published once per period. */
  counts?: { enabled: boolean; publishDue(now: Date): Promise<number> };
  /** The retention purge (signatures/signature-purge.ts): it scans the signatures, so once a day. */
  purge?: { run(options: { actor: string }): Promise<unknown> };
  /** Mailings (a delivery's updates, an organiser's update) whose queuing a crash cut short (mail/mailing-queuing.ts). */
  mailings?: { resumeUnfinished(): Promise<number> };
  clock: () => Date;
  logger: Logger;
}

/**
 * Expiry in code, because FerretDB has no TTL indexes. Confirmation tokens are kept 30 days past
 * their expiry so that an old link still gets the clearer "expired" answer, then removed. And the
 * publication of delayed counts, once per period, and the retention purge, once a day.
 */
export function createMaintenance({ tokens, outbox, sessions, counts, purge, mailings, clock, logger }: Deps, everyMs = 3600_000) {
  const timers: NodeJS.Timeout[] = [];

  async function runOnce() {
    const now = clock().getTime();
    const tokensRemoved = await tokens.deleteExpired(new Date(now - 30 * DAY_MS));
    const claimsRemoved = await outbox.deleteStaleClaims(new Date(now - DAY_MS));
    const sessionsRemoved = await sessions.deleteExpired(new Date(now));
    if (tokensRemoved + claimsRemoved + sessionsRemoved > 0) logger.info({ tokensRemoved, claimsRemoved, sessionsRemoved }, 'maintenance removed expired records');
    const mailingsResumed = (await mailings?.resumeUnfinished()) ?? 0;
    return { tokensRemoved, claimsRemoved, sessionsRemoved, mailingsResumed };
  }

  async function publishCounts() {
    const published = (await counts?.publishDue(clock())) ?? 0;
    if (published > 0) logger.info({ published }, 'published the counts of petitions without verification');
    return published;
  }

  const every = (ms: number, task: () => Promise<unknown>) => {
    const timer = setInterval(() => void task().catch((error: unknown) => logger.error({ err: error }, 'maintenance failed')), ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    runOnce,
    publishCounts,
    start() {
      every(everyMs, runOnce);
      if (purge) {
        const purgeNow = () => purge.run({ actor: 'maintenance' });
        // Also once soon after start, so that an app restarted more often than daily still purges.
        const first = setTimeout(() => void purgeNow().catch((error: unknown) => logger.error({ err: error }, 'maintenance failed')), everyMs);
        first.unref();
        timers.push(first);
        every(DAY_MS, purgeNow);
      }
      if (counts?.enabled) {
        void publishCounts().catch((error: unknown) => logger.error({ err: error }, 'publishing counts failed'));
        every(60_000, publishCounts);
      }
    },
    stop() {
      for (const timer of timers.splice(0)) clearInterval(timer);
    },
  };
}
