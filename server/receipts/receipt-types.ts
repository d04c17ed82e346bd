import { recipientOf, type DeliveryTarget } from '../deliveries/target-types.js';
import type { Packet } from '../packets/packet-types.js';

/** The inclusion proof of one leaf, as the packet service gives it. */
export interface InclusionProof {
  index: number;
  size: number;
  proof: Buffer[];
  root: Buffer;
}

/** What receipts need from the packet service. */
export interface PacketReader {
  list(petitionId: string): Promise<Packet[]>;
  find(id: string): Promise<Packet | null>;
  proofFor(packetId: string, leaf: Buffer): Promise<InclusionProof | null>;
  saltFor(signatureId: string): Buffer;
}

/** What receipts need from the delivery targets. */
export interface DeliveredTargets {
  listDelivered(petitionId: string): Promise<DeliveryTarget[]>;
}

/** Where and when a packet was handed over: what the public deliveries list shows too. */
export interface PacketDelivery {
  city: string;
  country: string;
  place: string;
  recipient: string;
  deliveredAt: Date;
}

export const deliveriesOf = (targets: readonly DeliveryTarget[], packetId: string): PacketDelivery[] =>
  targets
    .filter((t) => t.delivery?.packetId === packetId)
    .map((t) => ({
      city: t.city,
      country: t.country,
      place: t.name,
      recipient: recipientOf(t),
      deliveredAt: t.delivery!.deliveredAt,
    }));
