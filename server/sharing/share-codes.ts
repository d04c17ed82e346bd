import { createHash, randomBytes } from 'node:crypto';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { CodeCount, ShareCodeRepository } from './share-code-repository.js';

/**
 * Personal share codes: after confirming, each signer gets a link with a code of their own
 * (`?via=<code>`), and their receipt tells how many people signed through it. The code is random,
 * never derived from the email or the signature: 9 random bytes, 12 URL-safe characters.
 */
export const SHARE_CODE = /^[A-Za-z0-9_-]{12}$/;
export const newShareCode = (): string => randomBytes(9).toString('base64url');
export const isShareCode = (value: unknown): value is string => typeof value === 'string' && SHARE_CODE.test(value);

/** A signer's personal link: unprefixed like every shared link (share-links.ts), so each person who opens it gets their own language. */
export const personalLink = (baseUrl: string, slug: string, code: string): string => `${baseUrl}/petitions/${encodeURIComponent(slug)}?via=${code}`;

/** What organisers see instead of a code: short, stable, and not enough to rebuild the link (so not to count signatures for it). */
export const shareCodeLabel = (code: string): string => createHash('sha256').update(code, 'utf8').digest('hex').slice(0, 8);

export const TOP_CODES = 10;

/** The dashboard's top codes may be this old: each read scans the collection on the embedded database. */
const TOP_CACHE_MS = 60_000;

/**
 * Counters per code. FerretDB applies an update as read-modify-write (docs/embedded-database.md), so
 * this process writes each code's counter one write at a time; different codes go in parallel.
 */
export function createShareCodeService({ repo }: { repo: ShareCodeRepository }) {
  const chains = new Map<string, Promise<void>>();
  const topCache = createTtlCache<CodeCount[]>(TOP_CACHE_MS);

  function inTurn(code: string, write: () => Promise<void>): Promise<void> {
    const done = (chains.get(code) ?? Promise.resolve()).then(write, write);
    const settled = done.catch(() => undefined);
    chains.set(code, settled);
    void settled.then(() => chains.get(code) === settled && chains.delete(code));
    return done;
  }

  return {
    /** +1 for a signature counted through `code` (-1 when it is withdrawn), once per `mark` however often it is retried. */
    credit: (code: string, petitionId: string, mark: string, by: 1 | -1 = 1): Promise<void> => inTurn(code, () => repo.credit(code, petitionId, mark, by)),
    unmark: (code: string, mark: string): Promise<void> => inTurn(code, () => repo.unmark(code, mark)),
    /** Moderation: −1 when a signature that came through `code` is invalidated (or withdrawn), +1 when restored. */
    change: (code: string, petitionId: string, by: number): Promise<void> => inTurn(code, () => repo.add(code, petitionId, by)),
    countOf: (code: string): Promise<number> => repo.countOf(code),
    /** Counts only, under an opaque label: organisers and analysts never see a code or whose it is. */
    async top(petitionId: string): Promise<{ label: string; count: number }[]> {
      const top = await topCache.get(petitionId, () => repo.top(petitionId, TOP_CODES));
      return top.map(({ code, count }) => ({ label: shareCodeLabel(code), count }));
    },
  };
}

export type ShareCodeService = ReturnType<typeof createShareCodeService>;
