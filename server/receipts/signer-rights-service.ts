import type { UnsubscribeService } from '../updates/unsubscribe-service.js';
import type { UnsubscribeTokens } from '../updates/unsubscribe-token.js';
import { AppError } from '../shared/errors.js';
import type { Signature, SignatureRepository, SignatureWithdrawal, WithdrawOutcome } from '../signatures/index.js';
import type { ReceiptTokens } from './receipt-token.js';
import type { ReceiptService } from './receipt-service.js';

interface Deps {
  tokens: Pick<ReceiptTokens, 'read'>;
  signatures: Pick<SignatureRepository, 'findById' | 'setHideName'>;
  withdrawal: Pick<SignatureWithdrawal, 'withdraw' | 'find'>;
  receipts: Pick<ReceiptService, 'open' | 'personalOf'>;
  /** Stopping updates from the receipt takes the unsubscribe link's path, with a link issued on the spot. */
  unsubscribe: Pick<UnsubscribeService, 'unsubscribe'>;
  unsubscribeTokens: Pick<UnsubscribeTokens, 'issue'>;
  petitions: { findById(id: string): Promise<{ slug: string; title: string } | null> };
}

/** Everything stored about one signer, decrypted for them: what the data download holds. */
export interface SignerData {
  petition: { slug: string; title: string };
  status: Signature['status'];
  source: Signature['source'];
  details: Signature['details'];
  country: string;
  language: string | null;
  consent: Signature['consent'];
  ref: string | null;
  referrer: string | null;
  signedAt: string;
  confirmedAt: string | null;
  collectedAt: string | null;
  collectedWhere: string | null;
  /** Their personal share link's code and how many signatures came through it; null before they count. */
  shareCode: { code: string; count: number } | null;
}

const unknownReceipt = () => new AppError(404, 'receipt_unknown', 'This receipt link is not valid.');
const iso = (d: Date | null) => (d ? d.toISOString() : null);

/** What a signer can do about their signature from their receipt: the link is the whole authority, as for the receipt itself. */
export function createSignerRights({ tokens, signatures, withdrawal, receipts, unsubscribe, unsubscribeTokens, petitions }: Deps) {
  /** The signature behind a link; a withdrawn one is gone, and says so. */
  async function signatureOf(token: string): Promise<Signature> {
    const id = tokens.read(token);
    const signature = id ? await signatures.findById(id) : null;
    if (signature) return signature;
    if (id && (await withdrawal.find(id))) throw new AppError(410, 'receipt_withdrawn', 'This signature has been withdrawn.');
    throw unknownReceipt();
  }

  return {
    /** Idempotent: a second request (or a retry) for a withdrawn signature changes nothing and answers 'already'. */
    async withdraw(token: string): Promise<WithdrawOutcome> {
      const receipt = await receipts.open(token);
      if (receipt.withdrawn) return 'already';
      const delivered = receipt.packets.filter((p) => p.included && p.deliveries.length > 0).map((p) => p.packet.id);
      const id = tokens.read(token)!;
      // First on the opt-out list the mail worker reads before each update: updates queued for this signer
      // before the withdrawal then never go out (their jobs carry the address sealed, not the signature).
      await unsubscribe.unsubscribe(unsubscribeTokens.issue(id));
      return withdrawal.withdraw(id, delivered);
    },
    /** Packets made from now on follow the choice; packets already made keep the entry they were made with. */
    async setHideName(token: string, hideName: boolean): Promise<void> {
      const signature = await signatureOf(token);
      if (!(await signatures.setHideName(signature.id, hideName))) throw unknownReceipt();
    },
    async stopUpdates(token: string): Promise<void> {
      const signature = await signatureOf(token);
      await unsubscribe.unsubscribe(unsubscribeTokens.issue(signature.id));
    },
    async data(token: string): Promise<SignerData> {
      const s = await signatureOf(token);
      const petition = await petitions.findById(s.petitionId);
      if (!petition) throw unknownReceipt();
      const personal = await receipts.personalOf(s, petition.slug);
      return {
        petition: { slug: petition.slug, title: petition.title },
        status: s.status,
        source: s.source,
        details: s.details,
        country: s.country,
        language: s.language,
        consent: s.consent,
        ref: s.ref,
        referrer: s.referrer,
        signedAt: s.createdAt.toISOString(),
        confirmedAt: iso(s.confirmedAt),
        collectedAt: iso(s.collectedAt),
        collectedWhere: s.collectedWhere,
        shareCode: personal && { code: personal.code, count: personal.count },
      };
    },
  };
}

export type SignerRights = ReturnType<typeof createSignerRights>;
