import { createBatcher } from '../shared/batcher.js';
import type { TallyDocument, TallyRepository } from './tally-repository.js';

export interface Tally {
  total: number;
  countries: { code: string; count: number }[];
  updatedAt: Date | null;
}

interface Deps {
  repo: TallyRepository;
  clock: () => Date;
  cacheSeconds: number;
}

export function summarise({ rows, updatedAt }: TallyDocument): Tally {
  const countries = rows
    .filter((r) => r.count > 0)
    .map((r) => ({ code: r.country, count: r.count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  return { total: countries.reduce((sum, c) => sum + c.count, 0), countries, updatedAt };
}

/**
 * Maintained counts. A petition's increments are coalesced and written one write at a time by
 * this process: FerretDB 1.x applies an update as read-modify-write, so two concurrent $inc on
 * one document could lose one. (On MongoDB $inc is atomic across instances anyway.)
 */
export function createTallyService({ repo, clock, cacheSeconds }: Deps) {
  const cache = new Map<string, { at: number; tally: Tally }>();
  // One group-commit batcher per petition: a single write in flight, carrying every change queued meanwhile.
  const batchers = new Map<string, (change: { country: string; delta: number }) => Promise<void>>();

  function add(petitionId: string, country: string, delta: number): Promise<void> {
    let batcher = batchers.get(petitionId);
    if (!batcher) {
      batcher = createBatcher<{ country: string; delta: number }, void>(async (changes) => {
        const deltas = new Map<string, number>();
        for (const c of changes) deltas.set(c.country, (deltas.get(c.country) ?? 0) + c.delta);
        await repo.add(petitionId, deltas, clock());
        cache.delete(petitionId);
        return changes.map(() => undefined);
      });
      batchers.set(petitionId, batcher);
    }
    return batcher({ country, delta });
  }

  async function read(petitionId: string, { fresh = false } = {}): Promise<Tally> {
    const cached = cache.get(petitionId);
    if (!fresh && cached && Date.now() - cached.at < cacheSeconds * 1000) return cached.tally;
    const tally = summarise(await repo.read(petitionId));
    cache.set(petitionId, { at: Date.now(), tally });
    return tally;
  }

  return { add, read };
}

export type TallyService = ReturnType<typeof createTallyService>;
