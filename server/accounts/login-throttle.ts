import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Config } from '../config/config.js';
import type { FailureCounter } from '../rate-limit/rate-limit-repository.js';
import { RateLimitedError } from '../shared/errors.js';

export interface LoginThrottlePolicy {
  /** Failures one client may make on one account before each further attempt must wait. */
  freeFailures: number;
  /** The wait after the last free failure; each further failure doubles it, up to `maxWaitMs`. */
  firstWaitMs: number;
  maxWaitMs: number;
  /**
   * Failures on one account, from every client together, from which it counts as under attack:
   * every attempt on it is slowed, and a client that has failed on it gets one free failure only.
   */
  accountSlowAfter: number;
  /** How much each failure from `accountSlowAfter` on slows every attempt, up to `accountMaxDelayMs`. */
  accountDelayStepMs: number;
  accountMaxDelayMs: number;
}

/** A client's failures on an account, and an account's, are forgotten this long after the last one. */
export const LOGIN_MEMORY_MS = 15 * 60_000;

export const loginPolicy = (config: Pick<Config, 'LOGIN_FREE_FAILURES' | 'LOGIN_MAX_WAIT_SECONDS' | 'LOGIN_SLOW_AFTER_PER_ACCOUNT'>): LoginThrottlePolicy => ({
  freeFailures: config.LOGIN_FREE_FAILURES,
  firstWaitMs: 1000,
  maxWaitMs: config.LOGIN_MAX_WAIT_SECONDS * 1000,
  accountSlowAfter: config.LOGIN_SLOW_AFTER_PER_ACCOUNT,
  // Half a second more per failure, up to 5 s: a guesser's request is held, the owner barely waits.
  accountDelayStepMs: 500,
  accountMaxDelayMs: 5000,
});

/** The 429 of every sign-in limit, saying when the client will be heard again. */
export function loginRateLimited(waitMs: number): RateLimitedError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new RateLimitedError(seconds, 'login_rate_limited', `Too many sign-in attempts. Please try again in ${seconds} seconds.`);
}

/** How long after its latest failure a client is next heard on an account. */
export function waitAfterFailures(failures: number, freeFailures: number, policy: LoginThrottlePolicy): number {
  if (failures < freeFailures) return 0;
  return Math.min(policy.firstWaitMs * 2 ** (failures - freeFailures), policy.maxWaitMs);
}

/** How much every attempt on an account is slowed, whoever makes it. Never a refusal. */
export function accountDelay(accountFailures: number, policy: LoginThrottlePolicy): number {
  if (accountFailures < policy.accountSlowAfter) return 0;
  return Math.min((accountFailures - policy.accountSlowAfter + 1) * policy.accountDelayStepMs, policy.accountMaxDelayMs);
}

interface Deps {
  /** Failures per (account, client address): the only count that refuses. */
  pairs: FailureCounter;
  /** Failures per account from every client: it only slows. */
  accounts: FailureCounter;
  policy: LoginThrottlePolicy;
  clock: () => Date;
  sleep?: (ms: number) => Promise<unknown>;
}

/**
 * Sign-in attempts limited by account and client address together, so that failures from other
 * addresses never keep an account's owner out: they slow the owner a little at most.
 */
export function createLoginThrottle({ pairs, accounts, policy, clock, sleep = sleepFor }: Deps) {
  const pairKey = (account: string, client: string) => `${account}\n${client}`;
  return {
    /** Throws a 429 while this client must wait on this account; otherwise waits out the account's slowdown. */
    async admit(account: string, client: string): Promise<void> {
      const now = clock();
      const [pair, total] = await Promise.all([pairs.read(pairKey(account, client), now), accounts.read(account, now)]);
      const free = total.failures >= policy.accountSlowAfter ? 1 : policy.freeFailures;
      const waitMs = pair.lastAt ? pair.lastAt.getTime() + waitAfterFailures(pair.failures, free, policy) - now.getTime() : 0;
      if (waitMs > 0) throw loginRateLimited(waitMs);
      const delayMs = accountDelay(total.failures, policy);
      if (delayMs > 0) await sleep(delayMs);
    },
    async failed(account: string, client: string): Promise<void> {
      const now = clock();
      await Promise.all([pairs.add(pairKey(account, client), now), accounts.add(account, now)]);
    },
    /** The account's own count stays: an attack does not end because its owner signed in. */
    succeeded: (account: string, client: string) => pairs.clear(pairKey(account, client)),
  };
}

export type LoginThrottle = ReturnType<typeof createLoginThrottle>;
