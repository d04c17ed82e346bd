import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { DeliveryTarget } from '../deliveries/target-types.js';
import { pathOf, rootOf } from '../packets/merkle.js';
import { leafOf } from '../packets/packet-record.js';
import type { MerkleReceipt, Packet, PacketRecord } from '../packets/packet-types.js';
import { parseReceipt, parseReceiptText } from './receipt-schema.js';
import { createReceiptVerifier, proofHolds } from './receipt-verifier.js';

const records: PacketRecord[] = [
  { country: 'GB', name: 'Amina Yusuf' },
  { country: 'FR', name: '' },
  { country: 'TR', name: 'Ayşe Yılmaz' },
  { country: 'CN', name: '小明 王' },
  { country: 'GB', name: 'Jean Dupont' },
];
const salts = records.map((_, i) => Buffer.alloc(32, i + 1));
const leaves = records.map((r, i) => leafOf(r, salts[i]!));
const root = rootOf(leaves).toString('hex');

const receiptFor = (i: number): MerkleReceipt => ({
  version: 1,
  packetId: 'pk_1',
  record: records[i]!,
  salt: salts[i]!.toString('hex'),
  leafIndex: i,
  treeSize: leaves.length,
  proof: pathOf(i, leaves).map((b) => b.toString('hex')),
  root,
});

describe('receipt proofs', () => {
  test('when a receipt comes from the tree, then its proof holds for every leaf', () => {
    for (let i = 0; i < leaves.length; i++) assert.ok(proofHolds(receiptFor(i)), `leaf ${i}`);
  });

  test('when the record, salt, index or a proof step changes, then the proof no longer holds', () => {
    const r = receiptFor(2);
    assert.ok(!proofHolds({ ...r, record: { ...r.record, name: 'Ayse Yilmaz' } }));
    assert.ok(!proofHolds({ ...r, record: { ...r.record, country: 'GB' } }));
    assert.ok(!proofHolds({ ...r, salt: Buffer.alloc(32, 9).toString('hex') }));
    assert.ok(!proofHolds({ ...r, leafIndex: 1 }));
    assert.ok(!proofHolds({ ...r, proof: r.proof.slice(1) }));
  });
});

describe('checking receipts against published roots', () => {
  const packet = { id: 'pk_1', petitionId: 'p1', status: 'ready', root } as Packet;
  const delivered = { city: 'Lima', country: 'PE', name: 'Embassy', recipientName: '', recipientTitle: 'Ambassador', delivery: { packetId: 'pk_1', deliveredAt: new Date('2025-03-14') } } as DeliveryTarget;
  const verifier = (targets: DeliveryTarget[], found: Packet | null = packet) =>
    createReceiptVerifier({ packets: { find: (id) => Promise.resolve(found?.id === id ? found : null) }, targets: { listDelivered: () => Promise.resolve(targets) } });

  test('when the root is that of a delivered packet, then the receipt is valid and says where', async () => {
    const result = await verifier([delivered])(receiptFor(0));
    assert.equal(result.outcome, 'valid');
    assert.deepEqual(result.deliveries, [{ city: 'Lima', country: 'PE', place: 'Embassy', recipient: 'Ambassador', deliveredAt: new Date('2025-03-14') }]);
  });

  test('when the packet is missing, unfinished, undelivered or has another root, then the outcome says which', async () => {
    assert.equal((await verifier([delivered], null)(receiptFor(0))).outcome, 'unknown_packet');
    assert.equal((await verifier([delivered], { ...packet, status: 'generating' })(receiptFor(0))).outcome, 'unknown_packet');
    assert.equal((await verifier([])(receiptFor(0))).outcome, 'not_published');
    assert.equal((await verifier([delivered], { ...packet, root: 'ab'.repeat(32) })(receiptFor(0))).outcome, 'wrong_root');
    assert.equal((await verifier([delivered])({ ...receiptFor(0), root: 'ab'.repeat(32) })).outcome, 'tampered');
  });
});

describe('reading receipts', () => {
  test('when a receipt is well formed, then it parses, hex in lower case', () => {
    const r = receiptFor(1);
    const parsed = parseReceipt({ ...r, root: r.root.toUpperCase(), extra: 'ignored' });
    assert.ok(parsed.ok);
    assert.equal(parsed.value.root, r.root);
  });

  test('when fields are missing or wrong, then each is named with its code', () => {
    const r = receiptFor(1);
    assert.deepEqual(parseReceiptText(''), { ok: false, fields: { receipt: 'required' } });
    assert.deepEqual(parseReceiptText('{'), { ok: false, fields: { receipt: 'receipt_json' } });
    assert.deepEqual(parseReceiptText('[]'), { ok: false, fields: { receipt: 'type' } });
    assert.deepEqual(parseReceipt({ ...r, version: 2, salt: undefined, proof: ['zz'], record: { name: 'x', country: 'gb' } }), {
      ok: false,
      fields: { version: 'receipt_version', salt: 'required', 'proof[0]': 'receipt_hash', 'record.country': 'receipt_country' },
    });
    assert.deepEqual(parseReceipt({ ...r, leafIndex: 5 }), { ok: false, fields: { leafIndex: 'receipt_index_range' } });
    assert.deepEqual(parseReceipt({ ...r, treeSize: 1.5 }), { ok: false, fields: { treeSize: 'receipt_integer' } });
  });
});
