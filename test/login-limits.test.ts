import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../server/config/config.js';
import { csrfFrom, givenUser, logInFrom, postWithHeaders } from './helpers/admin.js';
import { startStack, type Stack } from './helpers/stack.js';
import { aWebClient } from './helpers/web-client.js';

const SESSION_COOKIE = 'hv_admin';
const hasSession = (res: { headers: Headers }) => res.headers.getSetCookie().some((line) => line.startsWith(`${SESSION_COOKIE}=`));

/** One attacker's browser at one address: the login page once, then as many posts as it likes. */
async function anAttackerAt(stack: Stack, ip: string) {
  const client = aWebClient(stack.baseUrl);
  const csrf = csrfFrom((await client.get('/admin/login')).html);
  return (email: string, password: string) => postWithHeaders(client, stack.baseUrl, '/admin/login', { _csrf: csrf, email, password }, { 'x-forwarded-for': ip });
}

const describeAnswer = (res: { status: number; headers: Headers }) => `${res.status} Retry-After ${res.headers.get('retry-after')}`;

/** The per-address limit counts in fixed windows: a test that straddles a window's start would see its counts reset. */
async function awayFromWindowEdge(windowMs = 15 * 60_000, marginMs = 20_000) {
  const untilNext = windowMs - (Date.now() % windowMs);
  if (untilNext < marginMs) await sleep(untilNext + 100);
}

describe('sign-in limits by account and client address (defaults)', () => {
  let stack: Stack;
  before(async () => {
    // The production cost of a password hash: the timing test below needs it to outweigh the rest of a sign-in.
    stack = await startStack({ PASSWORD_SCRYPT_LOG2_N: String(loadConfig({}).PASSWORD_SCRYPT_LOG2_N) });
  });
  after(async () => {
    await stack.stop();
  });

  test('when an account gets wrong passwords from 12 different addresses, then its owner signing in from a fresh address gets in (slowed, not refused), while an attacking address must wait even with the right password', async () => {
    const owner = await givenUser(stack, 'admin');
    const attackers = await Promise.all(Array.from({ length: 12 }, (_, i) => anAttackerAt(stack, `198.51.100.${i + 1}`)));
    const answers = [];
    for (const attempt of attackers) answers.push((await attempt(owner.email, 'a-guess-of-12-chars')).status);
    assert.deepEqual(answers, Array(12).fill(401), 'every guess is heard once: no address had failed before');

    const signIn = await logInFrom(stack, '192.0.2.77', owner.email, owner.password);
    assert.equal(signIn.status, 303, describeAnswer(signIn));
    assert.ok(hasSession(signIn), 'the owner gets a session');
    // 12 failures against a ceiling of 10: every attempt on the account now waits 1.5 s.
    assert.ok(signIn.ms >= 1400, `the owner was slowed by the attack: ${Math.round(signIn.ms)} ms`);

    // On an account under attack an address gets one free failure: after its second, it waits 2 s.
    const attacker = attackers[0]!;
    assert.equal((await attacker(owner.email, 'another-guess-of-12')).status, 401);
    const fromAttacker = await attacker(owner.email, owner.password);
    assert.equal(fromAttacker.status, 429, describeAnswer(fromAttacker));
    assert.ok(Number(fromAttacker.headers.get('retry-after')) >= 1, describeAnswer(fromAttacker));
    assert.match(fromAttacker.html, /Too many sign-in attempts\. Please try again in \d+ seconds\./);
    assert.equal(hasSession(fromAttacker), false);
  });

  test('when one address keeps failing on one account, then after three failures it gets 429 with a Retry-After that doubles (even for the right password) and is heard again once it has waited, while the owner elsewhere signs in at once', async () => {
    const owner = await givenUser(stack, 'organiser');
    const attempt = await anAttackerAt(stack, '203.0.113.50');
    const early = [];
    for (let i = 0; i < 3; i++) early.push((await attempt(owner.email, `wrong-${i}`)).status);
    assert.deepEqual(early, [401, 401, 401]);

    const waits: number[] = [];
    const waitedOut = [];
    for (const password of ['wrong-3', 'wrong-4', owner.password]) {
      const refused = await attempt(owner.email.toUpperCase(), password);
      assert.equal(refused.status, 429, describeAnswer(refused));
      const seconds = Number(refused.headers.get('retry-after'));
      waits.push(seconds);
      await sleep(seconds * 1000 + 100);
      waitedOut.push((await attempt(owner.email, password)).status);
    }
    // 1 s, 2 s, 4 s after the last failure; a slow machine may take up to half of each before asking.
    assert.deepEqual(
      waits.map((s, i) => s > [0, 1, 2][i]! && s <= [1, 2, 4][i]!),
      [true, true, true],
      `Retry-After: ${waits.join(', ')}`,
    );
    assert.deepEqual(waitedOut, [401, 401, 303], 'once the wait is over the attempt is heard, and the right password gets in');

    const elsewhere = await logInFrom(stack, '192.0.2.78', owner.email, owner.password);
    assert.equal(elsewhere.status, 303, describeAnswer(elsewhere));
  });

  test('when sign-in failures are counted, then they are in the database (shared by every instance, kept over restarts) under keyed hashes, never the email or the address', async () => {
    const { email } = await givenUser(stack, 'analyst');
    assert.equal((await logInFrom(stack, '203.0.113.99', email, 'not-the-password')).status, 401);

    const docs = await stack.database.connection.collection('rate_limits').find({}).toArray();
    const counters = docs.filter((doc) => String(doc._id).startsWith('login-failures-'));
    assert.deepEqual([...new Set(counters.map((doc) => String(doc._id).split(':')[0]))].sort(), ['login-failures-account', 'login-failures-pair']);
    const leaks = docs.map((doc) => JSON.stringify(doc)).filter((text) => text.includes(email) || text.includes('203.0.113.99'));
    assert.deepEqual(leaks, []);
  });

  test('when a wrong password is tried for an existing account and for an unknown one, then both take the same time (a password hash is checked either way)', async () => {
    const { email } = await givenUser(stack, 'organiser');
    const existing: number[] = [];
    const unknown: number[] = [];
    // Interleaved, each from its own address, so that load on the machine hits both alike and no limit applies.
    for (let i = 0; i < 8; i++) {
      existing.push((await logInFrom(stack, `198.18.0.${i + 1}`, email, 'not-the-password')).ms);
      unknown.push((await logInFrom(stack, `198.18.1.${i + 1}`, `nobody-${i}@example.org`, 'not-the-password')).ms);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
    const ratio = median(existing) / median(unknown);
    // Without the dummy hash an unknown account answers about ten times faster.
    assert.ok(ratio > 0.5 && ratio < 2, `median existing ${Math.round(median(existing))} ms, unknown ${Math.round(median(unknown))} ms`);
  });
});

describe('sign-in limit per client address', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ LOGIN_MAX_PER_IP: '6' });
  });
  after(async () => {
    await stack.stop();
  });

  test('when one address fails more often than the per-address limit across accounts, then every further attempt from it gets 429 with Retry-After while other addresses sign in', async () => {
    await awayFromWindowEdge();
    const ip = '203.0.113.10';
    const accounts = [await givenUser(stack, 'analyst'), await givenUser(stack, 'analyst'), await givenUser(stack, 'analyst')];
    const statuses = [];
    for (const account of accounts) for (let i = 0; i < 2; i++) statuses.push((await logInFrom(stack, ip, account.email, 'wrong')).status);
    assert.deepEqual(statuses, [401, 401, 401, 401, 401, 401], 'two failures per account stay under the per-account wait');

    const fresh = await givenUser(stack, 'analyst');
    const blocked = await logInFrom(stack, ip, fresh.email, fresh.password);
    assert.equal(blocked.status, 429);
    assert.ok(Number(blocked.headers.get('retry-after')) >= 1, describeAnswer(blocked));
    assert.match(blocked.html, /Too many sign-in attempts/);
    assert.equal((await logInFrom(stack, '203.0.113.11', fresh.email, fresh.password)).status, 303);
  });

  test('when successful sign-ins are repeated, then they do not count towards the limits', async () => {
    await awayFromWindowEdge();
    const { email, password } = await givenUser(stack, 'organiser');
    const statuses = [];
    for (let i = 0; i < 8; i++) statuses.push((await logInFrom(stack, '203.0.113.20', email, password)).status);
    assert.deepEqual(statuses, Array(8).fill(303));
  });
});
