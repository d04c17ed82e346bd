import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createDataProtector } from './data-protector.js';

const details = { firstName: 'Mihrigul', lastName: 'Tursun', email: 'mihrigul@example.org', comment: 'Free them.\nNow. ü 😀' };

describe('createDataProtector', () => {
  test('when a value is sealed and opened with the same context, then the same value comes back', () => {
    const protector = createDataProtector(randomBytes(32));
    const sealed = protector.seal(details, 'signature-1');
    assert.deepEqual(protector.open(sealed, 'signature-1'), details);
  });

  test('when a value is sealed, then the plaintext appears nowhere in the ciphertext', () => {
    const protector = createDataProtector(randomBytes(32));
    const sealed = protector.seal(details, 'signature-1');
    for (const plain of ['Mihrigul', 'Tursun', 'mihrigul@example.org', 'example.org']) {
      assert.equal(sealed.includes(plain, 0, 'utf8'), false, plain);
      assert.equal(sealed.toString('base64').includes(Buffer.from(plain).toString('base64')), false, plain);
    }
  });

  test('when the same value is sealed twice, then the ciphertexts differ (fresh IV each time)', () => {
    const protector = createDataProtector(randomBytes(32));
    assert.notDeepEqual(protector.seal(details, 'signature-1'), protector.seal(details, 'signature-1'));
  });

  test('when a ciphertext is opened with another record\'s context, then it throws', () => {
    const protector = createDataProtector(randomBytes(32));
    const sealed = protector.seal(details, 'signature-1');
    assert.throws(() => protector.open(sealed, 'signature-2'));
  });

  test('when any byte of the ciphertext is changed, then opening it throws', () => {
    const protector = createDataProtector(randomBytes(32));
    const sealed = protector.seal(details, 'signature-1');
    // The version byte, a byte of the IV, of the tag and of the body.
    for (const index of [0, 1, 13, 29, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      assert.throws(() => protector.open(tampered, 'signature-1'), Error, `byte ${index}`);
    }
  });

  test('when a ciphertext is opened with another master key, then it throws', () => {
    const sealed = createDataProtector(randomBytes(32)).seal(details, 'signature-1');
    assert.throws(() => createDataProtector(randomBytes(32)).open(sealed, 'signature-1'));
  });

  test('when the same input is hashed twice with one key, then the hash is stable', () => {
    const key = randomBytes(32);
    const [a, b] = [createDataProtector(key), createDataProtector(Buffer.from(key))];
    assert.equal(a.emailHash('ana@gmail.com'), b.emailHash('ana@gmail.com'));
    assert.equal(a.domainHash('gmail.com'), b.domainHash('gmail.com'));
    assert.equal(a.ipHash('203.0.113.7'), b.ipHash('203.0.113.7'));
    assert.notEqual(a.emailHash('ana@gmail.com'), a.emailHash('ana2@gmail.com'));
  });

  test('when the same input is hashed with two keys, then the hashes differ', () => {
    const [a, b] = [createDataProtector(randomBytes(32)), createDataProtector(randomBytes(32))];
    assert.notEqual(a.emailHash('ana@gmail.com'), b.emailHash('ana@gmail.com'));
    assert.notEqual(a.domainHash('gmail.com'), b.domainHash('gmail.com'));
    assert.notEqual(a.ipHash('203.0.113.7'), b.ipHash('203.0.113.7'));
  });

  test('when one string is hashed for different purposes, then each purpose gives a different hash', () => {
    const protector = createDataProtector(randomBytes(32));
    const hashes = new Set([protector.emailHash('gmail.com'), protector.domainHash('gmail.com'), protector.ipHash('gmail.com')]);
    assert.equal(hashes.size, 3);
    assert.ok(!protector.emailHash('ana@gmail.com').includes('ana'));
  });

  test('when the master key is not 32 bytes, then the protector refuses to start', () => {
    assert.throws(() => createDataProtector(randomBytes(16)), /32 bytes/);
  });
  test('when the key is rotated, then values sealed under the old key still open, and resealing moves them to the new key', () => {
    const [old, current] = [randomBytes(32), randomBytes(32)];
    const before = createDataProtector(old).seal(details, 'signature-1');
    const during = createDataProtector(current, { oldKeys: [old] });
    assert.deepEqual(during.open(before, 'signature-1'), details);
    assert.equal(during.isCurrent(before), false);
    const resealed = during.reseal(before, 'signature-1');
    assert.equal(during.isCurrent(resealed), true);
    assert.deepEqual(createDataProtector(current).open(resealed, 'signature-1'), details);
    assert.throws(() => createDataProtector(current).open(before, 'signature-1'), /not configured/);
  });

  test('when a value was sealed before values named their key, then whichever key of the ring sealed it opens it', () => {
    const [old, current] = [randomBytes(32), randomBytes(32)];
    const v2 = createDataProtector(old).seal(details, 'signature-1');
    const v1 = Buffer.concat([Buffer.from([1]), v2.subarray(5)]); // the same ciphertext in the layout without a key id
    assert.deepEqual(createDataProtector(current, { oldKeys: [old] }).open(v1, 'signature-1'), details);
    assert.throws(() => createDataProtector(current).open(v1, 'signature-1'));
  });

  test('when the data key changes but the hash key stays, then keyed hashes stay the same', () => {
    const [original, next] = [randomBytes(32), randomBytes(32)];
    const before = createDataProtector(original);
    const after = createDataProtector(next, { oldKeys: [original], hashKey: original });
    assert.equal(after.emailHash('ana@gmail.com'), before.emailHash('ana@gmail.com'));
    assert.notEqual(after.keyId, before.keyId);
  });
});
