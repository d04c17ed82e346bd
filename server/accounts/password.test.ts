import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { loadConfig } from '../config/config.js';
import { hashPassword, verifyPassword } from './password.js';

describe('password hashes', () => {
  test('when no cost is configured, then new hashes use scrypt with N=2^15, r=8, p=1', async () => {
    const stored = await hashPassword('correct horse battery', loadConfig({}).PASSWORD_SCRYPT_LOG2_N);
    assert.match(stored, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    assert.equal(await verifyPassword('correct horse battery', stored), true);
    assert.equal(await verifyPassword('correct horse batterY', stored), false);
  });

  test('when a hash was made at another cost, then it verifies at the cost stored with it', async () => {
    const stored = await hashPassword('correct horse battery', 10);
    assert.match(stored, /^scrypt\$1024\$8\$1\$/);
    assert.equal(await verifyPassword('correct horse battery', stored), true);
  });

  test('when a cost below 15 is configured outside tests, then the configuration is refused', () => {
    assert.throws(() => loadConfig({ NODE_ENV: 'development', PASSWORD_SCRYPT_LOG2_N: '10' }), /PASSWORD_SCRYPT_LOG2_N: below 15 only in tests/);
    assert.throws(() => loadConfig({ NODE_ENV: 'production', PASSWORD_SCRYPT_LOG2_N: '14', DATA_KEY: Buffer.alloc(32).toString('base64'), BASE_URL: 'https://example.org', SMTP_URL: 'smtp://localhost' }), /below 15 only in tests/);
    assert.equal(loadConfig({ NODE_ENV: 'test', PASSWORD_SCRYPT_LOG2_N: '10' }).PASSWORD_SCRYPT_LOG2_N, 10);
  });
});
