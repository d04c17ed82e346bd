import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';

/** Version 1 (before key rotation): no key id, opened with whichever key of the ring fits. */
const V1 = 1;
/** Version 2: the sealing key's id follows the version byte, so a read picks its key at once. */
const V2 = 2;
const ID_BYTES = 4;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export interface DataProtector {
  /** AES-256-GCM; `context` (e.g. the record id) is bound as associated data so ciphertexts cannot be swapped between records. */
  seal(value: unknown, context: string): Buffer;
  open<T>(sealed: Buffer, context: string): T;
  /** What `open` parses: the sealed value's JSON text, for a caller that reads only part of it. */
  openText(sealed: Buffer, context: string): string;
  /** The id of the key `seal` uses (DATA_KEY's), in hex. */
  readonly keyId: string;
  /** Whether a sealed value is under the current key; a version-1 value (no id) never is. */
  isCurrent(sealed: Buffer): boolean;
  /** The same value sealed again under the current key (key rotation). */
  reseal(sealed: Buffer, context: string): Buffer;
  emailHash(canonicalEmail: string): string;
  domainHash(domain: string): string;
  ipHash(ip: string): string;
}

export interface KeyOptions {
  /** Keys still read but no longer written: DATA_KEYS_OLD, while a rotation runs. */
  oldKeys?: Buffer[];
  /**
   * The root of the keyed hashes (email, domain, IP) and nothing else here: it never rotates, since
   * signature ids contain the email's hash (README, "Rotating DATA_KEY"). Defaults to the data key.
   */
  hashKey?: Buffer;
}

export function subkey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `handover:${purpose}`, 32));
}

/** A key's public id: derived, so it names the key without revealing anything about it. */
export const keyIdOf = (master: Buffer): string => subkey(master, 'key-id').subarray(0, ID_BYTES).toString('hex');

function checkLength(key: Buffer): Buffer {
  if (key.length !== 32) throw new Error('data key must be 32 bytes');
  return key;
}

export function createDataProtector(masterKey: Buffer, { oldKeys = [], hashKey = masterKey }: KeyOptions = {}): DataProtector {
  // Key objects, imported once: an export opens a million records, each with its own decipher.
  const ring = [masterKey, ...oldKeys].map(checkLength).map((master) => ({ id: keyIdOf(master), key: createSecretKey(subkey(master, 'pii-encryption')) }));
  const current = ring[0]!;
  const byId = new Map(ring.map((k) => [k.id, k.key]));
  const macKeys = {
    email: subkey(checkLength(hashKey), 'email-hash'),
    domain: subkey(hashKey, 'domain-hash'),
    ip: subkey(hashKey, 'ip-hash'),
  };

  function decrypt(key: KeyObject, sealed: Buffer, start: number, context: string): string {
    const iv = sealed.subarray(start, start + IV_BYTES);
    const tag = sealed.subarray(start + IV_BYTES, start + IV_BYTES + TAG_BYTES);
    const decipher = createDecipheriv('aes-256-gcm', key, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    const body = decipher.update(sealed.subarray(start + IV_BYTES + TAG_BYTES));
    decipher.final(); // checks the tag; GCM gives out every byte in update, so final adds none
    return body.toString('utf8');
  }

  function openText(sealed: Buffer, context: string): string {
    if (sealed[0] === V2) {
      const id = sealed.subarray(1, 1 + ID_BYTES).toString('hex');
      const key = byId.get(id);
      if (!key) throw new Error(`sealed under key ${id}, which is not configured (DATA_KEY, DATA_KEYS_OLD)`);
      return decrypt(key, sealed, 1 + ID_BYTES, context);
    }
    if (sealed[0] !== V1) throw new Error('unknown sealed-data version');
    // Sealed before values named their key: under the original key, wherever it now sits in the ring.
    for (const { key } of ring.slice(0, -1)) {
      try {
        return decrypt(key, sealed, 1, context);
      } catch {
        // not this key: try the next
      }
    }
    return decrypt(ring.at(-1)!.key, sealed, 1, context);
  }

  function sealText(text: string, context: string): Buffer {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([V2]), Buffer.from(current.id, 'hex'), iv, cipher.getAuthTag(), body]);
  }
  const mac = (key: Buffer, value: string) => createHmac('sha256', key).update(value, 'utf8').digest('base64url');

  return {
    seal: (value, context) => sealText(JSON.stringify(value), context),
    open: <T>(sealed: Buffer, context: string) => JSON.parse(openText(sealed, context)) as T,
    openText,
    keyId: current.id,
    isCurrent: (sealed) => sealed[0] === V2 && sealed.subarray(1, 1 + ID_BYTES).toString('hex') === current.id,
    reseal: (sealed, context) => sealText(openText(sealed, context), context),
    emailHash: (canonical) => mac(macKeys.email, canonical),
    domainHash: (domain) => mac(macKeys.domain, domain),
    ipHash: (ip) => mac(macKeys.ip, ip),
  };
}
