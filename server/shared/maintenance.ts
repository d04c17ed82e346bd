import type { Logger } from 'pino';

const DAY_MS = 24 * 3600_000;

interface Deps {
  tokens: { deleteExpired(before: Date): Promise<number> };
  outbox: { deleteStaleClaims(before: Date): Promise<number> };
  sessions: { deleteExpired(before: Date): Promise<number> };
  clock: () => Date;
  logger: Logger;
}

/**
 * Expiry in code, because FerretDB has no TTL indexes. Confirmation tokens are kept 30 days past
 * their expiry so that an old link still gets the clearer "expired" answer, then removed.
 */
export function createMaintenance({ tokens, outbox, sessions, clock, logger }: Deps, everyMs = 3600_000) {
  let timer: NodeJS.Timeout | null = null;

  async function runOnce() {
    const now = clock().getTime();
    const tokensRemoved = await tokens.deleteExpired(new Date(now - 30 * DAY_MS));
    const claimsRemoved = await outbox.deleteStaleClaims(new Date(now - DAY_MS));
    const sessionsRemoved = await sessions.deleteExpired(new Date(now));
    if (tokensRemoved + claimsRemoved + sessionsRemoved > 0) logger.info({ tokensRemoved, claimsRemoved, sessionsRemoved }, 'maintenance removed expired records');
    return { tokensRemoved, claimsRemoved, sessionsRemoved };
  }

  return {
    runOnce,
    start() {
      timer = setInterval(() => void runOnce().catch((error: unknown) => logger.error({ err: error }, 'maintenance failed')), everyMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}
