import { createHash, randomBytes } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';

const tokenSchema = new Schema(
  {
    _id: String,
    signatureId: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'confirm_tokens', versionKey: false },
);
tokenSchema.index({ expiresAt: 1 });

// Only the hash is stored: a database reader cannot confirm anybody's signature.
export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');

export function createConfirmTokenRepository(connection: Connection) {
  const Tokens = connection.model('ConfirmToken', tokenSchema);

  /** Tokens for several signatures in one write; only their hashes are stored. */
  async function issueMany(signatureIds: string[], expiresAt: Date): Promise<string[]> {
    if (signatureIds.length === 0) return [];
    const tokens = signatureIds.map(() => randomBytes(32).toString('base64url'));
    await Tokens.collection.insertMany(signatureIds.map((signatureId, i) => ({ _id: hashToken(tokens[i]!) as never, signatureId, expiresAt })));
    return tokens;
  }

  return {
    init: () => Tokens.createIndexes(),
    issueMany,
    issue: async (signatureId: string, expiresAt: Date): Promise<string> => (await issueMany([signatureId], expiresAt))[0]!,
    async find(token: string): Promise<{ signatureId: string; expiresAt: Date } | null> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const doc = await Tokens.findById(hashToken(token)).lean<{ signatureId: string; expiresAt: Date }>();
      return doc ? { signatureId: doc.signatureId, expiresAt: doc.expiresAt } : null;
    },
    /** Expiry in code (no TTL indexes on FerretDB): old tokens are removed by the maintenance loop. */
    async deleteExpired(before: Date): Promise<number> {
      const res = await Tokens.deleteMany({ expiresAt: { $lt: before } });
      return res.deletedCount;
    },
  };
}

export type ConfirmTokenRepository = ReturnType<typeof createConfirmTokenRepository>;
