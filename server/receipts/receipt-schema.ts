import { z } from 'zod';
import type { MerkleReceipt } from '../packets/packet-types.js';

// Each message is a field error code (errors.field.<code>, in locales/en/receipts.json).
const hash = z.string().regex(/^[0-9a-fA-F]{64}$/, 'receipt_hash');

/**
 * A receipt as a person pastes or uploads it. Limits are generous for any real tree (a proof of a
 * tree of 2^53 leaves has 53 steps) and keep the check cheap for anything else.
 */
const receiptSchema = z.object({
  version: z.literal(1, 'receipt_version'),
  packetId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'receipt_packet_id'),
  record: z.object({
    country: z.string().regex(/^[A-Z]{2}$/, 'receipt_country'),
    name: z.string().max(1000, 'too_long'),
  }),
  salt: z.string().regex(/^(?:[0-9a-fA-F]{2}){16,64}$/, 'receipt_salt'),
  leafIndex: z.number().int('receipt_integer').min(0, 'receipt_integer'),
  treeSize: z.number().int('receipt_integer').min(1, 'receipt_tree_size').max(Number.MAX_SAFE_INTEGER, 'receipt_tree_size'),
  proof: z.array(hash).max(64, 'receipt_proof_length'),
  root: hash,
});

export type ParsedReceipt = { ok: true; value: MerkleReceipt } | { ok: false; fields: Record<string, string> };

/** `proof[2]`, `record.name`: the path a person would look for in the file. */
const pathOf = (path: readonly PropertyKey[]) =>
  path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '') || 'receipt';

/** Validates a receipt's shape; each problem is reported as `{ path: code }`. */
export function parseReceipt(raw: unknown): ParsedReceipt {
  const parsed = receiptSchema.safeParse(raw, {
    error: (issue) => (issue.code === 'invalid_type' ? (issue.input === undefined ? 'required' : 'type') : undefined),
  });
  if (!parsed.success) {
    const fields: Record<string, string> = {};
    for (const issue of parsed.error.issues) fields[pathOf(issue.path)] ??= /^[a-z_]+$/.test(issue.message) ? issue.message : 'invalid';
    return { ok: false, fields };
  }
  const value = parsed.data;
  if (value.leafIndex >= value.treeSize) return { ok: false, fields: { leafIndex: 'receipt_index_range' } };
  return { ok: true, value: { ...value, salt: value.salt.toLowerCase(), root: value.root.toLowerCase(), proof: value.proof.map((p) => p.toLowerCase()) } };
}

/** The same, from text: a file's contents or what was pasted. */
export function parseReceiptText(text: string): ParsedReceipt {
  if (!text.trim()) return { ok: false, fields: { receipt: 'required' } };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, fields: { receipt: 'receipt_json' } };
  }
  return parseReceipt(raw);
}
