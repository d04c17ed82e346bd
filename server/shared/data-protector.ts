import { createCipheriv, createDecipheriv, createHmac, createSecretKey, hkdfSync, randomBytes } from 'node:crypto';

const VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const BODY_START = 1 + IV_BYTES + TAG_BYTES;

export interface DataProtector {
  /** AES-256-GCM; `context` (e.g. the record id) is bound as associated data so ciphertexts cannot be swapped between records. */
  seal(value: unknown, context: string): Buffer;
  open<T>(sealed: Buffer, context: string): T;
  /** What `open` parses: the sealed value's JSON text, for a caller that reads only part of it. */
  openText(sealed: Buffer, context: string): string;
  emailHash(canonicalEmail: string): string;
  domainHash(domain: string): string;
  ipHash(ip: string): string;
}

function subkey(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `handover:${purpose}`, 32));
}

export function createDataProtector(masterKey: Buffer): DataProtector {
  if (masterKey.length !== 32) throw new Error('data key must be 32 bytes');
  // A key object, imported once: an export opens a million records, each with its own decipher.
  const encKey = createSecretKey(subkey(masterKey, 'pii-encryption'));
  const macKeys = {
    email: subkey(masterKey, 'email-hash'),
    domain: subkey(masterKey, 'domain-hash'),
    ip: subkey(masterKey, 'ip-hash'),
  };
  function openText(sealed: Buffer, context: string): string {
    if (sealed[0] !== VERSION) throw new Error('unknown sealed-data version');
    const iv = sealed.subarray(1, 1 + IV_BYTES);
    const tag = sealed.subarray(1 + IV_BYTES, BODY_START);
    const decipher = createDecipheriv('aes-256-gcm', encKey, iv);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    const body = decipher.update(sealed.subarray(BODY_START));
    decipher.final(); // checks the tag; GCM gives out every byte in update, so final adds none
    return body.toString('utf8');
  }
  const mac = (key: Buffer, value: string) => createHmac('sha256', key).update(value, 'utf8').digest('base64url');

  return {
    seal(value, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', encKey, iv);
      cipher.setAAD(Buffer.from(context, 'utf8'));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    open: <T>(sealed: Buffer, context: string) => JSON.parse(openText(sealed, context)) as T,
    openText,
    emailHash: (canonical) => mac(macKeys.email, canonical),
    domainHash: (domain) => mac(macKeys.domain, domain),
    ipHash: (ip) => mac(macKeys.ip, ip),
  };
}
