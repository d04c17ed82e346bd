import { createHash, randomBytes } from 'node:crypto';
import { Schema, type Connection } from 'mongoose';
import { withRetry } from '../db/transient.js';

const tokenSchema = new Schema(
  {
    _id: String,
    signatureId: { type: String, required: true },
    petitionId: { type: String, required: true },
    country: { type: String, required: true },
    ref: { type: String },
    referrer: { type: String },
    via: { type: String },
    recipient: { type: String },
    lang: { type: String },
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
  /** The signature's `ref` code and referring host: counted when it is confirmed, not when signed. */
  ref?: string | null;
  referrer?: string | null;
  /** The personal share code the signer came through, sealed (share-seal.ts `sealVia`): the token names its signature in plain. */
  via?: string | null;
  /**
   * The signer's name and address sealed for the outbox (mail/sealed-recipient.ts) and their language: the
   * email that tells them their signature counts is then queued at confirmation with no read of the signature.
   * Absent in tokens issued before they were added.
   */
  recipient?: string | null;
  lang?: string | null;
}

export type FoundToken = TokenTarget & { expiresAt: Date };

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

// Only the hash is stored: a database reader cannot confirm anybody's signature.
export const hashToken = (token: string) => createHash('sha256').update(token, 'utf8').digest('base64url');

export function createConfirmTokenRepository(connection: Connection) {
  const Tokens = connection.model('ConfirmToken', tokenSchema);

  /** Tokens for several signatures in one write; only their hashes are stored. */
  async function issueMany(targets: TokenTarget[], expiresAt: Date): Promise<string[]> {
    if (targets.length === 0) return [];
    const tokens = targets.map(() => randomBytes(32).toString('base64url'));
    await Tokens.collection.insertMany(
      targets.map(({ signatureId, petitionId, country, ref, referrer, via, recipient, lang }, i) => ({
        _id: hashToken(tokens[i]!) as never,
        signatureId,
        petitionId,
        country,
        ...(ref ? { ref } : {}),
        ...(referrer ? { referrer } : {}),
        ...(via ? { via } : {}),
        ...(recipient ? { recipient } : {}),
        ...(lang ? { lang } : {}),
        expiresAt,
      })),
    );
    return tokens;
  }

  /** Several tokens in one read (`_id` $in, indexed: docs/embedded-database.md); malformed ones are not looked up. */
  async function findMany(tokens: string[]): Promise<Map<string, FoundToken>> {
    const byHash = new Map(tokens.filter((t) => TOKEN.test(t)).map((t) => [hashToken(t), t]));
    if (byHash.size === 0) return new Map();
    const docs = await withRetry(() => Tokens.collection.find<FoundToken & { _id: string }>({ _id: { $in: [...byHash.keys()] as never[] } }).toArray());
    return new Map(
      docs.map((d) => [
        byHash.get(d._id)!,
        {
          signatureId: d.signatureId,
          petitionId: d.petitionId,
          country: d.country,
          ref: d.ref ?? null,
          referrer: d.referrer ?? null,
          via: d.via ?? null,
          recipient: d.recipient ?? null,
          lang: d.lang ?? null,
          expiresAt: d.expiresAt,
        },
      ]),
    );
  }

  return {
    init: () => Tokens.createIndexes(),
    issueMany,
    issue: async (target: TokenTarget, expiresAt: Date): Promise<string> => (await issueMany([target], expiresAt))[0]!,
    find: async (token: string): Promise<FoundToken | null> => (await findMany([token])).get(token) ?? null,
    findMany,
    /** Expiry in code (no TTL indexes on FerretDB): old tokens are removed by the maintenance loop. */
    async deleteExpired(before: Date): Promise<number> {
      const res = await Tokens.deleteMany({ expiresAt: { $lt: before } });
      return res.deletedCount;
    },
  };
}

export type ConfirmTokenRepository = ReturnType<typeof createConfirmTokenRepository>;
