import type { RequestHandler } from 'express';

/**
 * Counts signing and confirming requests in flight. The mail worker asks `busy()` and yields the
 * database to signers during a flood: an acknowledged signature or confirmation is already durable,
 * its email waits in the outbox and goes out when the flood ebbs.
 */
export function createLoadMonitor(busyAbove: number) {
  let inFlight = 0;
  const track: RequestHandler = (_req, res, next) => {
    inFlight += 1;
    let done = false;
    const finish = () => {
      if (!done) {
        done = true;
        inFlight -= 1;
      }
    };
    res.once('finish', finish);
    res.once('close', finish);
    next();
  };
  return { track, busy: () => inFlight > busyAbove };
}

export type LoadMonitor = ReturnType<typeof createLoadMonitor>;
