import { displayName, leafOf } from '../packets/packet-record.js';
import type { MerkleReceipt, NamePolicy, Packet, PacketRecord } from '../packets/packet-types.js';
import type { Petition, PetitionText } from '../petitions/petition-types.js';
import { AppError } from '../shared/errors.js';
import { newShareCode, type ShareCodeService } from '../sharing/index.js';
import type { Withdrawal } from '../signatures/index.js';
import type { Signature, SignatureStatus } from '../signatures/signature-types.js';
import type { ReceiptTokens } from './receipt-token.js';
import { deliveriesOf, type DeliveredTargets, type PacketDelivery, type PacketReader } from './receipt-types.js';

interface Deps {
  tokens: Pick<ReceiptTokens, 'read'>;
  /** One lookup by _id, the only kind the embedded database answers from an index (docs/embedded-database.md). */
  signatures: { findById(id: string): Promise<Signature | null>; shareCodeOf(id: string, newCode: () => string): Promise<string | null> };
  shareCodes: Pick<ShareCodeService, 'countOf'>;
  petitions: { findById(id: string): Promise<Petition | null> };
  /** What is left of a withdrawn signature (signatures/signature-withdrawal-repository.ts). */
  withdrawals: { find(id: string): Promise<Pick<Withdrawal, 'petitionId' | 'at' | 'delivered'> | null> };
  packets: PacketReader;
  targets: DeliveredTargets;
}

export interface ReceiptPacket {
  packet: Pick<Packet, 'id' | 'generatedAt' | 'cutoff' | 'names' | 'total'>;
  /** The signer's entry as this packet shows it (or would have). */
  record: PacketRecord;
  included: boolean;
  deliveries: PacketDelivery[];
}

/** What a signer's private receipt shows: their own signature only, never email, postcode or IP data. */
export interface SignerReceipt {
  withdrawn: false;
  /** The petition's texts, so the page can name it in the reader's language. */
  petition: Pick<Petition, 'slug' | keyof PetitionText | 'language' | 'translations'>;
  country: string;
  status: SignatureStatus;
  /** Their choices: listed by name or not, news of the petition or not. */
  consent: Signature['consent'];
  /** Their name in full as packets show it; '' when they chose to be shown by country only. */
  name: string;
  packets: ReceiptPacket[];
  /** A counted signer's personal share code and how many signatures came through it; null before it counts. */
  personal: PersonalLink | null;
  /** When the petition's retention rule deleted the signer's personal data; the packets' proofs stand. */
  purgedAt: Date | null;
}

/** A receipt link whose signature was withdrawn: when, and the packets it was handed over in before, which stay as delivered. */
export interface WithdrawnReceipt {
  withdrawn: true;
  petition: SignerReceipt['petition'];
  at: Date;
  delivered: { id: string; deliveries: PacketDelivery[] }[];
}

export interface PersonalLink {
  slug: string;
  code: string;
  count: number;
}

const unknownReceipt = () => new AppError(404, 'receipt_unknown', 'This receipt link is not valid.');
const hex = (b: Buffer) => b.toString('hex');

const textsOf = (petition: Petition): SignerReceipt['petition'] => ({
  slug: petition.slug,
  title: petition.title,
  summary: petition.summary,
  body: petition.body,
  target: petition.target,
  language: petition.language,
  translations: petition.translations,
});

export function createReceiptService({ tokens, signatures, shareCodes, petitions, withdrawals, packets, targets }: Deps) {
  async function signatureFor(token: string): Promise<Signature> {
    const id = tokens.read(token);
    const signature = id ? await signatures.findById(id) : null;
    if (!signature) throw unknownReceipt();
    return signature;
  }

  /** Given on first asking, so that signatures confirmed before share codes existed get one too. */
  async function personalOf(signature: Signature, slug: string): Promise<PersonalLink | null> {
    if (signature.status !== 'confirmed') return null;
    const code = signature.share.code ?? (await signatures.shareCodeOf(signature.id, newShareCode));
    return code ? { slug, code, count: await shareCodes.countOf(code) } : null;
  }

  /** The signer's record and leaf exactly as the packet generator builds them. */
  function entryOf(signature: Signature, names: NamePolicy, hideName = signature.consent.hideName) {
    const record: PacketRecord = { country: signature.country, name: displayName(signature.details, hideName, names) };
    const salt = packets.saltFor(signature.id);
    return { record, salt, leaf: leafOf(record, salt) };
  }

  /**
   * The signer's entry in a packet and its proof. A signer may have hidden or shown their name since
   * the packet was made (signer-rights-service.ts): its entry is then the one made with the other choice.
   */
  async function foundIn(signature: Signature, packet: Pick<Packet, 'id' | 'names'>) {
    const current = entryOf(signature, packet.names);
    const found = await packets.proofFor(packet.id, current.leaf);
    if (found) return { ...current, found };
    const other = entryOf(signature, packet.names, !signature.consent.hideName);
    if (other.leaf.equals(current.leaf)) return { ...current, found: null };
    const otherFound = await packets.proofFor(packet.id, other.leaf);
    return otherFound ? { ...other, found: otherFound } : { ...current, found: null };
  }

  /** Looked up only once the signature is not found: a receipt being shown costs one lookup. */
  async function withdrawnOf(id: string | null): Promise<WithdrawnReceipt> {
    const withdrawal = id ? await withdrawals.find(id) : null;
    const petition = withdrawal ? await petitions.findById(withdrawal.petitionId) : null;
    if (!withdrawal || !petition) throw unknownReceipt();
    const delivered = withdrawal.delivered.length ? await targets.listDelivered(petition.id) : [];
    return { withdrawn: true, petition: textsOf(petition), at: withdrawal.at, delivered: withdrawal.delivered.map((id) => ({ id, deliveries: deliveriesOf(delivered, id) })) };
  }

  async function open(token: string): Promise<SignerReceipt | WithdrawnReceipt> {
    const id = tokens.read(token);
    const signature = id ? await signatures.findById(id) : null;
    if (!signature) return withdrawnOf(id);
    const petition = await petitions.findById(signature.petitionId);
    if (!petition) throw unknownReceipt();
    const [all, delivered] = await Promise.all([packets.list(petition.id), targets.listDelivered(petition.id)]);
    // Without the name the signer's entry cannot be rebuilt: the page says so instead of "not included".
    const ready = signature.purgedAt ? [] : all.filter((p) => p.status === 'ready');
    const entries = await Promise.all(
      ready.map(async (packet): Promise<ReceiptPacket> => {
        const { record, found } = await foundIn(signature, packet);
        return { packet, record, included: found !== null, deliveries: deliveriesOf(delivered, packet.id) };
      }),
    );
    return {
      withdrawn: false,
      petition: textsOf(petition),
      country: signature.country,
      status: signature.status,
      consent: signature.consent,
      name: displayName(signature.details, signature.consent.hideName, 'full'),
      packets: entries,
      personal: await personalOf(signature, petition.slug),
      purgedAt: signature.purgedAt,
    };
  }

  /** The personal link alone, for the thank-you page after confirming; null for a link that is not (or no longer) valid. */
  async function personal(token: string): Promise<PersonalLink | null> {
    const id = tokens.read(token);
    const signature = id ? await signatures.findById(id) : null;
    const petition = signature ? await petitions.findById(signature.petitionId) : null;
    return signature && petition ? personalOf(signature, petition.slug) : null;
  }

  /** The inclusion proof of the signer's record in one packet, as a self-contained receipt. */
  async function proof(token: string, packetId: string): Promise<MerkleReceipt> {
    const signature = await signatureFor(token);
    const packet = await packets.find(packetId);
    if (!packet || packet.status !== 'ready' || packet.petitionId !== signature.petitionId) {
      throw new AppError(404, 'packet_unknown', 'There is no such packet.');
    }
    const { record, salt, found } = await foundIn(signature, packet);
    if (!found) throw new AppError(404, 'not_in_packet', 'Your signature is not in this packet.');
    return {
      version: 1,
      packetId: packet.id,
      record,
      salt: hex(salt),
      leafIndex: found.index,
      treeSize: found.size,
      proof: found.proof.map(hex),
      root: hex(found.root),
    };
  }

  return { open, proof, personal, signatureFor, personalOf };
}

export type ReceiptService = ReturnType<typeof createReceiptService>;
