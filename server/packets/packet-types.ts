import type { JobStatus, Progress } from '../shared/progress.js';

/** How signer names appear in a packet. A signer who chose to hide their name is always 'none'. */
export const NAME_POLICIES = ['full', 'first-initial', 'initials', 'none'] as const;
export type NamePolicy = (typeof NAME_POLICIES)[number];

export interface PacketScope {
  /** Signatures counted at or before this moment are in the packet. */
  cutoff: Date;
  /** ISO codes, sorted; null means every country. */
  countries: string[] | null;
  names: NamePolicy;
}

export interface PacketFile {
  name: string;
  sha256: string;
  bytes: number;
}

export type PacketStatus = 'generating' | 'ready' | 'failed';

/** A generated packet: one snapshot of a petition's counted signatures for one delivery target. */
export interface Packet extends PacketScope {
  id: string;
  petitionId: string;
  targetId: string;
  status: PacketStatus;
  generatedAt: Date;
  generatedBy: string;
  /** Filled in once ready. */
  total: number;
  countryCount: number;
  counts: Record<string, number>;
  /** Hex SHA-256 Merkle root over the signer records (see merkle.ts); '' until ready. */
  root: string;
  files: PacketFile[];
  pdfPages: number;
  /** The ZIP in the files bucket; null until ready. */
  zipFileId: string | null;
  zipBytes: number;
  error: string | null;
  /** While generating: how far the build has come, saved at most once a second. */
  progress: Progress | null;
}

/** A packet as the status endpoint and the progress bar see it. */
export function packetStatus(packet: Packet): JobStatus {
  if (packet.status === 'ready') return { state: 'ready', phase: 'done', done: packet.total, total: packet.total };
  if (packet.status === 'failed') return { state: 'failed', phase: 'failed', done: 0, total: 0, error: packet.error ?? '' };
  return { state: 'building', ...(packet.progress ?? { phase: 'reading', done: 0, total: 0 }) };
}

/** A signer's record as it appears in one packet: what the Merkle leaf commits to. */
export interface PacketRecord {
  country: string;
  /** The name as the packet shows it; '' when shown by country only. */
  name: string;
}

/** Everything a signer needs to prove their record is in a packet, without learning about anyone else. */
export interface MerkleReceipt {
  version: 1;
  packetId: string;
  record: PacketRecord;
  /** Hex, the per-signature secret salt. */
  salt: string;
  leafIndex: number;
  treeSize: number;
  /** Hex sibling hashes from the leaf up. */
  proof: string[];
  /** Hex Merkle root the proof folds to. */
  root: string;
}
