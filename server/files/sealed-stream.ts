import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';

const RECORD = 64 * 1024;
const IV = 12;
const TAG = 16;

/**
 * Files of personal data at rest, sealed with AES-256-GCM in records of 64 kB, each with its own
 * IV and bound to the file's id, its position and whether it is the last: records cannot be moved,
 * swapped between files or cut off without opening failing. Nothing is released unauthenticated,
 * because each record is checked before its plaintext is passed on.
 * Layout: per record, a 4-byte big-endian length, then IV, tag and ciphertext.
 */
export function createFileSealer(keys: Buffer | Buffer[]) {
  // Seals with the first key; opens with whichever fits the first record (several only for files
  // sealed before they recorded their key: file-repository.ts).
  const candidates = Array.isArray(keys) ? keys : [keys];
  if (candidates.length === 0 || candidates.some((k) => k.length !== 32)) throw new Error('file key must be 32 bytes');
  const key = candidates[0]!;
  const aad = (context: string, index: number, last: boolean) => Buffer.from(`${context}:${index}:${last ? 1 : 0}`, 'utf8');

  function sealRecord(plain: Buffer, context: string, index: number, last: boolean): Buffer {
    const iv = randomBytes(IV);
    const cipher = createCipheriv('aes-256-gcm', key, iv);
    cipher.setAAD(aad(context, index, last));
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    const length = Buffer.alloc(4);
    length.writeUInt32BE(IV + TAG + body.length);
    return Buffer.concat([length, iv, cipher.getAuthTag(), body]);
  }

  function openRecordWith(key: Buffer, sealed: Buffer, context: string, index: number, last: boolean): Buffer {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV));
    decipher.setAAD(aad(context, index, last));
    decipher.setAuthTag(sealed.subarray(IV, IV + TAG));
    return Buffer.concat([decipher.update(sealed.subarray(IV + TAG)), decipher.final()]);
  }

  return {
    /** Plaintext in, sealed records out; `plainBytes` counts what went in. */
    seal(context: string): Transform & { plainBytes: number } {
      let pending: Buffer[] = [];
      let size = 0;
      let index = 0;
      const stream = new Transform({
        transform(chunk: Buffer, _encoding, done: TransformCallback) {
          pending.push(chunk);
          size += chunk.length;
          stream.plainBytes += chunk.length;
          // A full record goes out only once more data follows it: the last record is marked as such.
          while (size > RECORD) {
            const all = Buffer.concat(pending);
            this.push(sealRecord(all.subarray(0, RECORD), context, index++, false));
            pending = [all.subarray(RECORD)];
            size -= RECORD;
          }
          done();
        },
        flush(done: TransformCallback) {
          done(null, sealRecord(Buffer.concat(pending), context, index, true));
        },
      }) as Transform & { plainBytes: number };
      stream.plainBytes = 0;
      return stream;
    },
    /** Sealed records in, plaintext out; fails on any change, reordering or truncation. */
    open(context: string): Transform {
      let buffered = Buffer.alloc(0);
      let held: Buffer | null = null;
      let index = 0;
      let found: Buffer | null = null;
      const openRecord = (sealed: Buffer, context: string, index: number, last: boolean): Buffer => {
        if (found) return openRecordWith(found, sealed, context, index, last);
        for (const candidate of candidates.slice(0, -1)) {
          try {
            const plain = openRecordWith(candidate, sealed, context, index, last);
            found = candidate;
            return plain;
          } catch {
            // not this key: try the next
          }
        }
        found = candidates.at(-1)!;
        return openRecordWith(found, sealed, context, index, last);
      };
      return new Transform({
        transform(chunk: Buffer, _encoding, done: TransformCallback) {
          buffered = Buffer.concat([buffered, chunk]);
          try {
            while (buffered.length >= 4 && buffered.length >= 4 + buffered.readUInt32BE(0)) {
              const length = buffered.readUInt32BE(0);
              // A record is known not to be the last only when another one follows it.
              if (held) this.push(openRecord(held, context, index++, false));
              held = buffered.subarray(4, 4 + length);
              buffered = buffered.subarray(4 + length);
            }
            done();
          } catch {
            done(new Error('the sealed file does not open: it was changed or belongs elsewhere'));
          }
        },
        flush(done: TransformCallback) {
          try {
            if (!held || buffered.length > 0) throw new Error('truncated');
            done(null, openRecord(held, context, index, true));
          } catch {
            done(new Error('the sealed file does not open: it was changed, cut short or belongs elsewhere'));
          }
        },
      });
    },
  };
}

export type FileSealer = ReturnType<typeof createFileSealer>;
