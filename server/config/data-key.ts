import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';

/**
 * The master key for personal data. Production must pass DATA_KEY (loadConfig enforces it);
 * elsewhere a key is generated once and kept beside the embedded database, so a restart can
 * still read what was written before.
 */
export function resolveDataKey(config: Pick<Config, 'DATA_KEY' | 'DATA_DIR'>): Buffer {
  if (config.DATA_KEY) return Buffer.from(config.DATA_KEY, 'base64');
  const file = path.join(config.DATA_DIR, 'data.key');
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length === 32) return key;
  } catch {
    // first run: fall through and create one
  }
  mkdirSync(config.DATA_DIR, { recursive: true });
  const key = randomBytes(32);
  writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
  return key;
}

export interface DataKeys {
  /** Seals everything written from now on. */
  dataKey: Buffer;
  /** Still read while `npm run rotate-key` re-seals what they sealed. */
  oldKeys: Buffer[];
  /**
   * The root of keyed hashes and of secrets that must outlive a rotation. Signature ids contain the
   * email's keyed hash, so re-keying it would change every id and every link to one: it stays the key
   * the database started with (README, "Rotating DATA_KEY").
   */
  hashKey: Buffer;
}

export function resolveDataKeys(config: Pick<Config, 'DATA_KEY' | 'DATA_DIR' | 'DATA_KEYS_OLD' | 'HASH_KEY'>): DataKeys {
  const dataKey = resolveDataKey(config);
  const oldKeys = (config.DATA_KEYS_OLD ?? '')
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
    .map((k) => Buffer.from(k, 'base64'))
    .filter((k) => !k.equals(dataKey));
  return { dataKey, oldKeys, hashKey: config.HASH_KEY ? Buffer.from(config.HASH_KEY, 'base64') : dataKey };
}
