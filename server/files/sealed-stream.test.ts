import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { createFileSealer } from './sealed-stream.js';

const sealer = createFileSealer(randomBytes(32));
const through = async (stream: NodeJS.ReadWriteStream, data: Buffer, chunk = 10_000) => {
  const parts = [];
  for (let at = 0; at < data.length; at += chunk) parts.push(data.subarray(at, at + chunk));
  return buffer(Readable.from(parts).pipe(stream));
};

describe('sealed files', () => {
  for (const size of [0, 1, 64 * 1024, 64 * 1024 + 1, 200_000]) {
    test(`when ${size} bytes are sealed and opened with the same id, then the same bytes come back`, async () => {
      const plain = randomBytes(size);
      const sealed = await through(sealer.seal('ex_1'), plain);
      assert.deepEqual(await through(sealer.open('ex_1'), sealed, 777), plain);
    });
  }

  test('when a file is sealed, then its plaintext appears nowhere in it', async () => {
    const plain = Buffer.from('Mihrigul,Tursun\r\n'.repeat(5000));
    const sealed = await through(sealer.seal('ex_1'), plain);
    assert.equal(sealed.includes('Mihrigul'), false);
  });

  const refusals: [string, (sealed: Buffer) => Buffer, string][] = [
    ['a byte is changed', (s) => Buffer.from(s).fill(s[100]! ^ 1, 100, 101), 'ex_1'],
    ['the last record is cut off', (s) => s.subarray(0, 4 + s.readUInt32BE(0)), 'ex_1'],
    ['it is opened as another file', (s) => s, 'ex_2'],
  ];
  for (const [what, change, context] of refusals) {
    test(`when ${what}, then opening fails`, async () => {
      const sealed = await through(sealer.seal('ex_1'), randomBytes(150_000));
      await assert.rejects(through(sealer.open(context), change(sealed)), /does not open/);
    });
  }
});
