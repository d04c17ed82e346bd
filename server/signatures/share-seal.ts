import type { DataProtector } from '../shared/data-protector.js';

/**
 * A signature's personal share code and the code it came through (`via`), sealed under DATA_KEY and
 * bound to the signature id: a copy of the database alone cannot tell whose code is whose, nor who
 * brought whom. Only the counters per code (sharing/share-code-repository.ts) are plain.
 */
export interface ShareFacts {
  code: string | null;
  via: string | null;
}

export const NO_SHARE: ShareFacts = { code: null, via: null };

export const sealShare = (protector: DataProtector, signatureId: string, facts: ShareFacts): Buffer => protector.seal(facts, `share:${signatureId}`);

export function openShare(protector: DataProtector, signatureId: string, sealed: Buffer | { buffer: Uint8Array } | undefined | null): ShareFacts {
  if (!sealed) return NO_SHARE;
  const facts = protector.open<Partial<ShareFacts>>(Buffer.isBuffer(sealed) ? sealed : Buffer.from(sealed.buffer), `share:${signatureId}`);
  return { code: facts.code ?? null, via: facts.via ?? null };
}

/** `via` as the outbox job and the confirmation token carry it: sealed, since both name the signature in plain. */
export const sealVia = (protector: DataProtector, signatureId: string, via: string | null): string | null =>
  via ? protector.seal(via, `via:${signatureId}`).toString('base64') : null;

export const openVia = (protector: DataProtector, signatureId: string, sealed: string | null | undefined): string | null =>
  sealed ? protector.open<string>(Buffer.from(sealed, 'base64'), `via:${signatureId}`) : null;
