import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CHUNK, chunkRoots, chunkedProof, hashesIn, leafHash, pathOf, rootFromProof, rootOf } from './merkle.js';

const hex = (b: Buffer) => b.toString('hex');
const unhex = (h: string) => Buffer.from(h, 'hex');
// The reference inputs and tree heads of Certificate Transparency's merkle_tree_test (RFC 6962).
const INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const LEAVES = INPUTS.map(leafHash);

describe('Merkle tree (RFC 6962)', () => {
  it('when the reference inputs are hashed, then every tree size 0..8 gives the published root', () => {
    for (let n = 0; n <= 8; n++) assert.equal(hex(rootOf(LEAVES.slice(0, n))), ROOTS[n], `size ${n}`);
  });

  it('when proofs are made for the reference tree, then they equal the published audit paths', () => {
    assert.deepEqual(pathOf(0, LEAVES).map(hex), [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ]);
    assert.deepEqual(pathOf(5, LEAVES).map(hex), [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ]);
  });

  it('when every leaf of trees of 1..40 leaves is proven, then each proof folds to the root and a tampered one does not', () => {
    for (let size = 1; size <= 40; size++) {
      const leaves = Array.from({ length: size }, (_, i) => leafHash(Buffer.from([i, size])));
      const root = rootOf(leaves);
      for (let i = 0; i < size; i++) {
        const proof = pathOf(i, leaves);
        assert.deepEqual(rootFromProof(leaves[i]!, i, size, proof), root, `leaf ${i} of ${size}`);
        assert.notDeepEqual(rootFromProof(leafHash(Buffer.from('x')), i, size, proof), root);
        if (size > 1) assert.notDeepEqual(rootFromProof(leaves[i]!, (i + 1) % size, size, proof), root);
      }
    }
  });

  it('when a proof has the wrong length or an index outside the tree, then it folds to nothing', () => {
    const proof = pathOf(2, LEAVES);
    assert.equal(rootFromProof(LEAVES[2]!, 2, 8, proof.slice(1)), null);
    assert.equal(rootFromProof(LEAVES[2]!, 2, 8, [...proof, proof[0]!]), null);
    assert.equal(rootFromProof(LEAVES[2]!, 8, 8, proof), null);
    assert.equal(rootFromProof(LEAVES[2]!, -1, 8, proof), null);
  });

  it('when leaves span several chunks, then the chunked root and proofs equal those of the whole tree', () => {
    for (const size of [CHUNK, CHUNK + 1, 2 * CHUNK + 37]) {
      const packed = Buffer.concat(Array.from({ length: size }, (_, i) => leafHash(Buffer.from(String(i)))));
      const all = hashesIn(packed);
      const roots = chunkRoots(packed);
      assert.deepEqual(rootOf(roots), rootOf(all), `root of ${size}`);
      for (const i of [0, CHUNK - 1, size - 1, Math.floor(size / 2)]) {
        const chunk = Math.floor(i / CHUNK);
        const proof = chunkedProof(i, all.slice(chunk * CHUNK, (chunk + 1) * CHUNK), roots);
        assert.deepEqual(proof, pathOf(i, all), `proof of ${i} in ${size}`);
      }
    }
  });
});
