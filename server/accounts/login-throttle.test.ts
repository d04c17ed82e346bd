import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { accountDelay, waitAfterFailures, type LoginThrottlePolicy } from './login-throttle.js';

const policy: LoginThrottlePolicy = { freeFailures: 3, firstWaitMs: 1000, maxWaitMs: 300_000, accountSlowAfter: 10, accountDelayStepMs: 500, accountMaxDelayMs: 5000 };

describe('waitAfterFailures', () => {
  test('when a client has failed fewer times than it may, then it need not wait; from then on each failure doubles the wait, up to the cap', () => {
    const waits = [0, 1, 2, 3, 4, 5, 6, 12, 100, 5000].map((failures) => waitAfterFailures(failures, policy.freeFailures, policy));
    assert.deepEqual(waits, [0, 0, 0, 1000, 2000, 4000, 8000, 300_000, 300_000, 300_000]);
  });

  test('when an account is under attack (one free failure), then the first failure already costs the first wait', () => {
    assert.deepEqual([0, 1, 2, 3].map((failures) => waitAfterFailures(failures, 1, policy)), [0, 1000, 2000, 4000]);
  });
});

describe('accountDelay', () => {
  test('when an account has failed fewer times than its ceiling, then nobody is slowed; from the ceiling on, each failure adds a step, up to the cap', () => {
    const delays = [0, 9, 10, 11, 12, 19, 1000].map((failures) => accountDelay(failures, policy));
    assert.deepEqual(delays, [0, 0, 500, 1000, 1500, 5000, 5000]);
  });
});
