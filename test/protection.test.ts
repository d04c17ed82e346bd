import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { aSigner, getJson, givenPetition, postJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';

const run = promisify(execFile);

describe('rate limiting', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ RATE_LIMIT_SIGN_PER_MINUTE: '3', RATE_LIMIT_CONFIRM_PER_MINUTE: '2' });
  });
  after(async () => {
    await stack.stop();
  });

  test('when one address signs more often than the limit allows, then it gets 429 with a clear error and nothing more is stored', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const url = `${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`;
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await postJson(url, aSigner())).status);
    assert.deepEqual(statuses, [202, 202, 202, 429, 429]);
    const refused = await postJson(url, aSigner());
    assert.equal((refused.body as { error: { code: string } }).error.code, 'rate_limited');
    const { body } = await getJson<{ total: number }>(`${stack.baseUrl}/api/v1/petitions/${petition.slug}`);
    assert.equal(body.total, 3);
  });

  test('when confirmation links are tried faster than the limit, then the extra tries get 429', async () => {
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await postJson(`${stack.baseUrl}/api/v1/confirm/${'B'.repeat(43)}`, '')).status);
    assert.deepEqual(statuses, [404, 404, 429, 429]);
  });

  test('when hits are counted, then they reach the database (so several instances share them) keyed by a hash, never the raw address', async () => {
    await stack.services.close();
    const docs = await stack.database.connection.collection('rate_limits').find().toArray();
    assert.ok(docs.length > 0, 'no counters were written');
    assert.deepEqual(docs.map((d) => String(d._id)).filter((id) => id.includes('127.0.0.1')), [], 'no counter is keyed by the raw address');
    assert.ok(docs.some((d) => (d.hits as number) >= 5));
  });
});

describe('health', () => {
  test('when the database answers, then /healthz is 200; when it is gone, then /healthz is 503', async () => {
    const stack = await startStack();
    try {
      const up = await getJson<{ status: string }>(`${stack.baseUrl}/healthz`);
      assert.equal(up.status, 200);
      assert.equal(up.body.status, 'ok');
      await stack.database.close();
      const down = await getJson<{ status: string }>(`${stack.baseUrl}/healthz`);
      assert.equal(down.status, 503);
    } finally {
      await stack.stop().catch(() => undefined);
    }
  });
});

describe('configuration', () => {
  const boot = (env: Record<string, string>) =>
    run(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: { PATH: process.env.PATH, ...env }, timeout: 30_000 }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );

  test('when production starts without DATA_KEY, BASE_URL or SMTP_URL, then the process stops with a message naming each', async () => {
    const { code, stderr } = await boot({ NODE_ENV: 'production' });
    assert.equal(code, 78);
    assert.match(stderr, /DATA_KEY: required in production/);
    assert.match(stderr, /BASE_URL: required in production/);
    assert.match(stderr, /SMTP_URL: required in production/);
  });

  test('when a setting has a bad value, then the process stops with a message naming it', async () => {
    const { code, stderr } = await boot({ PORT: 'eighty', DATA_KEY: 'short' });
    assert.equal(code, 78);
    assert.match(stderr, /PORT:/);
    assert.match(stderr, /DATA_KEY: must be 32 bytes, base64-encoded/);
  });
});
