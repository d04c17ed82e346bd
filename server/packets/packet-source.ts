import type { SignatureSnapshotRepository } from '../signatures/index.js';

/** What a packet reads: the signatures feature's counted signers at a cutoff. */
export type PacketSource = Pick<SignatureSnapshotRepository, 'counted'>;
