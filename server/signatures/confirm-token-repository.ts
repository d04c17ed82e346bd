import { createHash, randomBytes } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';

const tokenSchema = new Schema(
  {
    _id: String,
    signatureId: { type: String, required: true },
    petitionId: { type: String, required: true },
    country: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'confirm_tokens', versionKey: false },
);
tokenSchema.index({ expiresAt: 1 });

/** What a confirmation needs, kept with the token so that confirming never has to read the signature. */
export interface TokenTarget {
  signatureId: string;
  petitionId: string;
  country: string;
}

// Only the hash is stored: a database reader cannot confirm anybody's signature.
export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');

export function createConfirmTokenRepository(connection: Connection) {
  const Tokens = connection.model('ConfirmToken', tokenSchema);

  /** Tokens for several signatures in one write; only their hashes are stored. */
  async function issueMany(targets: TokenTarget[], expiresAt: Date): Promise<string[]> {
    if (targets.length === 0) return [];
    const tokens = targets.map(() => randomBytes(32).toString('base64url'));
    await Tokens.collection.insertMany(
      targets.map(({ signatureId, petitionId, country }, i) => ({ _id: hashToken(tokens[i]!) as never, signatureId, petitionId, country, expiresAt })),
    );
    return tokens;
  }

  return {
    init: () => Tokens.createIndexes(),
    issueMany,
    issue: async (target: TokenTarget, expiresAt: Date): Promise<string> => (await issueMany([target], expiresAt))[0]!,
    async find(token: string): Promise<(TokenTarget & { expiresAt: Date }) | null> {
      if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
      const doc = await Tokens.findById(hashToken(token)).lean<TokenTarget & { expiresAt: Date }>();
      return doc ? { signatureId: doc.signatureId, petitionId: doc.petitionId, country: doc.country, expiresAt: doc.expiresAt } : null;
    },
    /** Expiry in code (no TTL indexes on FerretDB): old tokens are removed by the maintenance loop. */
    async deleteExpired(before: Date): Promise<number> {
      const res = await Tokens.deleteMany({ expiresAt: { $lt: before } });
      return res.deletedCount;
    },
  };
}

export type ConfirmTokenRepository = ReturnType<typeof createConfirmTokenRepository>;
