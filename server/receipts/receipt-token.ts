import type { DataProtector } from '../shared/data-protector.js';

/**
 * A receipt link is the signature id sealed with AES-GCM (context `receipt`), so the link names the
 * signature without revealing its email hash, cannot be forged or altered, and needs no stored
 * token: opening it is one lookup by _id. Each sealing gives a different link; all stay valid.
 */
export function createReceiptTokens(protector: DataProtector, purpose = 'receipt') {
  return {
    issue: (signatureId: string): string => protector.seal(signatureId, purpose).toString('base64url'),
    /** The signature id, or null for anything that is not a link we issued. */
    read(token: string): string | null {
      if (!/^[A-Za-z0-9_-]{40,400}$/.test(token)) return null;
      const sealed = Buffer.from(token, 'base64url');
      // Base64url decoding ignores trailing bits and stray characters: one link per token, not several.
      if (sealed.toString('base64url') !== token) return null;
      try {
        const id = protector.open<unknown>(sealed, purpose);
        return typeof id === 'string' ? id : null;
      } catch {
        return null;
      }
    },
  };
}
export type ReceiptTokens = ReturnType<typeof createReceiptTokens>;
