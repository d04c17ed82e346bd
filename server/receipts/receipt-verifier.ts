import { rootFromProof } from '../packets/merkle.js';
import { leafOf } from '../packets/packet-record.js';
import type { MerkleReceipt } from '../packets/packet-types.js';
import { deliveriesOf, type DeliveredTargets, type PacketDelivery, type PacketReader } from './receipt-types.js';

/**
 * - valid: the proof folds to its root, which is the root of a delivered (published) packet;
 * - not_published: it is that packet's root, but the packet has not been handed over yet;
 * - wrong_root: the proof is sound but folds to another root than the packet's;
 * - tampered: record, salt, index or proof were changed: the proof does not fold to its own root;
 * - unknown_packet: there is no such finished packet.
 */
export type VerifyOutcome = 'valid' | 'not_published' | 'wrong_root' | 'tampered' | 'unknown_packet';

export interface VerifyResult {
  outcome: VerifyOutcome;
  packetId: string;
  deliveries: PacketDelivery[];
}

/** True when the receipt's own data fold to the root it names. Needs nothing but the receipt. */
export function proofHolds(receipt: MerkleReceipt): boolean {
  const leaf = leafOf(receipt.record, Buffer.from(receipt.salt, 'hex'));
  const proof = receipt.proof.map((p) => Buffer.from(p, 'hex'));
  const root = rootFromProof(leaf, receipt.leafIndex, receipt.treeSize, proof);
  return root !== null && root.toString('hex') === receipt.root;
}

/** Checks receipts against published packet roots. It reads packets and targets, never signatures. */
export function createReceiptVerifier({ packets, targets }: { packets: Pick<PacketReader, 'find'>; targets: DeliveredTargets }) {
  return async function verify(receipt: MerkleReceipt): Promise<VerifyResult> {
    const result = (outcome: VerifyOutcome, deliveries: PacketDelivery[] = []): VerifyResult => ({ outcome, packetId: receipt.packetId, deliveries });
    if (!proofHolds(receipt)) return result('tampered');
    const packet = await packets.find(receipt.packetId);
    if (!packet || packet.status !== 'ready') return result('unknown_packet');
    if (packet.root.toLowerCase() !== receipt.root) return result('wrong_root');
    const deliveries = deliveriesOf(await targets.listDelivered(packet.petitionId), packet.id);
    return deliveries.length ? result('valid', deliveries) : result('not_published');
  };
}

export type ReceiptVerifier = ReturnType<typeof createReceiptVerifier>;
