import { CHUNK, chunkedProof, hashesIn, rootOf } from './merkle.js';
import type { PacketRepository } from './packet-repository.js';

export interface Proof {
  index: number;
  size: number;
  proof: Buffer[];
  root: Buffer;
}

/** Index of the last entry <= key in a sorted list (by byte order), or -1. */
function lastAtOrBelow(count: number, at: (i: number) => Buffer, key: Buffer): number {
  let lo = 0;
  let hi = count - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (Buffer.compare(at(mid), key) <= 0) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/**
 * The inclusion proof of a leaf in a packet, or null when the leaf is not in it. Leaves are stored
 * sorted, so the chunk is found from the chunks' first leaves and the leaf by binary search in it:
 * one chunk (128 kB) is read, whatever the packet's size.
 */
export async function findProof(repo: PacketRepository, packetId: string, leaf: Buffer): Promise<Proof | null> {
  const index = await repo.chunkIndex(packetId);
  if (!index || index.firsts.length === 0) return null;
  const firsts = index.firsts.map((hex) => Buffer.from(hex, 'hex'));
  const n = lastAtOrBelow(firsts.length, (i) => firsts[i]!, leaf);
  if (n < 0) return null;
  const chunk = await repo.chunk(packetId, n);
  if (!chunk) return null;
  const leaves = hashesIn(chunk);
  const i = lastAtOrBelow(leaves.length, (k) => leaves[k]!, leaf);
  if (i < 0 || !leaves[i]!.equals(leaf)) return null;
  const roots = index.roots.map((hex) => Buffer.from(hex, 'hex'));
  return { index: n * CHUNK + i, size: index.size, proof: chunkedProof(n * CHUNK + i, leaves, roots), root: rootOf(roots) };
}
