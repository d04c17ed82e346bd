import type { PetitionRepository } from '../petitions/petition-repository.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { PublishedTally, PublishedTallyRepository } from './published-tally-repository.js';
import { summarise, type Tally, type TallyService } from './tally-service.js';

/** How a petition's counts reach those who may not see them live; null when they see live counts. */
export interface Publication {
  everyMinutes: number;
  /** When the counts shown were taken; null before the first publication. */
  at: Date | null;
}

export interface ShownCounts {
  tally: Tally;
  publication: Publication | null;
}

/** What decides how a petition's counts are shown. */
type Counted = { id: string; verification: string };

interface Deps {
  tallies: Pick<TallyService, 'read'>;
  repo: PublishedTallyRepository;
  petitions: Pick<PetitionRepository, 'listAll'>;
  /** config.UNVERIFIED_COUNTS_PUBLISH_MINUTES; 0 shows live counts to everyone. */
  everyMinutes: number;
  cacheSeconds: number;
}

const EMPTY = summarise({ confirmed: new Map(), paper: new Map(), pending: 0, invalidated: 0, daily: new Map(), refs: new Map(), sources: new Map(), updatedAt: null });

/**
 * Without email verification a new signature counts at once and a repeat does not, so live counts
 * would tell anyone who signs with an address whether it had signed before. For such petitions
 * everyone but organisers and admins sees a snapshot taken at most once per period of
 * `everyMinutes` (aligned on the clock: every full hour for 60), published by the maintenance loop.
 */
export function createPublishedCounts({ tallies, repo, petitions, everyMinutes, cacheSeconds }: Deps) {
  const periodMs = everyMinutes * 60_000;
  const snapshots = createTtlCache<PublishedTally | null>(cacheSeconds * 1000);
  const delayed = (petition: Counted) => everyMinutes > 0 && petition.verification === 'none';
  const snapshot = (petitionId: string) => snapshots.get(petitionId, () => repo.read(petitionId));

  /** The counts `petition` shows: live for organisers and admins (`live`), else published when delayed. */
  async function read(petition: Counted, { live = false, fresh = false } = {}): Promise<ShownCounts> {
    if (!delayed(petition)) return { tally: await tallies.read(petition.id, { fresh }), publication: null };
    const published = await snapshot(petition.id);
    const publication = { everyMinutes, at: published?.publishedAt ?? null };
    if (live) return { tally: await tallies.read(petition.id, { fresh }), publication };
    return { tally: published?.tally ?? EMPTY, publication };
  }

  /** Publishes every delayed petition whose snapshot is older than the current period; returns how many. */
  async function publishDue(now: Date): Promise<number> {
    if (everyMinutes === 0) return 0;
    const periodStart = Math.floor(now.getTime() / periodMs) * periodMs;
    let published = 0;
    for (const petition of (await petitions.listAll()).filter(delayed)) {
      const current = await repo.read(petition.id);
      if (current && current.publishedAt.getTime() >= periodStart) continue;
      await repo.write(petition.id, await tallies.read(petition.id, { fresh: true }), now);
      published += 1;
    }
    if (published > 0) snapshots.clear();
    return published;
  }

  return { read, publishDue, everyMinutes, enabled: everyMinutes > 0 };
}

export type PublishedCounts = ReturnType<typeof createPublishedCounts>;
