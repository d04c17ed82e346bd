import { createHash } from 'node:crypto';

/**
 * The Merkle tree of RFC 6962 §2.1 (Certificate Transparency; RFC 9162 §2.1 keeps it): leaves are
 * hashed as SHA-256(0x00 ‖ data), nodes as SHA-256(0x01 ‖ left ‖ right), and a tree of n entries
 * splits at the largest power of two below n. We write it out rather than use a package because
 * the packages we looked at hold every level of the tree in memory and none stores it in chunks;
 * the algorithm is short, fixed by the RFC, and checked against its published test vectors.
 *
 * A packet's leaves are stored in chunks of CHUNK leaves. Since every split point of a tree larger
 * than CHUNK is a multiple of CHUNK, each chunk is a subtree of the whole, and the tree over the
 * chunk roots (with the same split rule) has the same root as the tree over all leaves. A proof is
 * then the path inside one chunk followed by the path among the chunk roots.
 */
export const CHUNK = 4096;

export const sha256 = (...parts: Uint8Array[]): Buffer => {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
};

const LEAF = Buffer.from([0]);
const NODE = Buffer.from([1]);
export const leafHash = (data: Uint8Array): Buffer => sha256(LEAF, data);
export const nodeHash = (left: Uint8Array, right: Uint8Array): Buffer => sha256(NODE, left, right);

/** Largest power of two strictly below n (n > 1). */
const split = (n: number) => 2 ** Math.floor(Math.log2(n - 1));

/** MTH over entries that are already hashes (leaf hashes, or roots of equal-sized subtrees). */
export function rootOf(entries: readonly Buffer[]): Buffer {
  if (entries.length === 0) return sha256();
  let level = [...entries];
  // Bottom-up pairing gives the RFC's tree: an odd last entry is carried up unchanged.
  while (level.length > 1) {
    const next: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(i + 1 < level.length ? nodeHash(level[i]!, level[i + 1]!) : level[i]!);
    level = next;
  }
  return level[0]!;
}

/** PATH(m, D[n]) of RFC 6962 §2.1.1 over already-hashed entries: the siblings from entry m up. */
export function pathOf(m: number, entries: readonly Buffer[]): Buffer[] {
  if (entries.length <= 1) return [];
  const k = split(entries.length);
  return m < k ? [...pathOf(m, entries.slice(0, k)), rootOf(entries.slice(k))] : [...pathOf(m - k, entries.slice(k)), rootOf(entries.slice(0, k))];
}

/** The root an inclusion proof folds to (RFC 9162 §2.1.3.2), or null when the proof is malformed. */
export function rootFromProof(leaf: Buffer, index: number, size: number, proof: readonly Buffer[]): Buffer | null {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) return null;
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of proof) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}

/** The chunk roots, and from them the tree root, of leaves given in tree order as one buffer of 32-byte hashes. */
export function chunkRoots(leaves: Buffer): Buffer[] {
  const roots: Buffer[] = [];
  for (let at = 0; at < leaves.length; at += CHUNK * 32) roots.push(rootOf(hashesIn(leaves.subarray(at, Math.min(leaves.length, at + CHUNK * 32)))));
  return roots;
}

export const hashesIn = (packed: Buffer): Buffer[] => {
  const out: Buffer[] = [];
  for (let at = 0; at < packed.length; at += 32) out.push(packed.subarray(at, at + 32));
  return out;
};

/** The inclusion proof of leaf `index` of the whole tree, given its chunk's leaves and every chunk root. */
export function chunkedProof(index: number, chunkLeaves: Buffer[], roots: Buffer[]): Buffer[] {
  const chunk = Math.floor(index / CHUNK);
  return [...pathOf(index % CHUNK, chunkLeaves), ...pathOf(chunk, roots)];
}
