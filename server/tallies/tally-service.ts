import { createKeyedSerializer } from '../shared/batcher.js';
import type { TallyRepository, TallyRow } from './tally-repository.js';

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

export function summarise(rows: TallyRow[]): Tally {
  const countries = rows
    .filter((r) => r.count > 0)
    .map((r) => ({ code: r.country, count: r.count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
  const updatedAt = rows.reduce<Date | null>((max, r) => (!max || r.updatedAt > max ? r.updatedAt : max), null);
  return { total: countries.reduce((sum, c) => sum + c.count, 0), countries, updatedAt };
}

/**
 * Maintained counts. Increments for one petition and country are coalesced and written one
 * after another by this process: FerretDB 1.x applies updates as read-modify-write, so two
 * concurrent $inc on one row could lose one. (MongoDB's $inc is atomic across instances anyway.)
 */
export function createTallyService({ repo, clock, cacheSeconds }: Deps) {
  const serialize = createKeyedSerializer();
  const pending = new Map<string, { delta: number; done: Promise<void> }>();
  const cache = new Map<string, { at: number; tally: Tally }>();

  function add(petitionId: string, country: string, delta: number): Promise<void> {
    const key = `${petitionId}:${country}`;
    const queued = pending.get(key);
    if (queued) {
      queued.delta += delta;
      return queued.done;
    }
    const entry = { delta, done: Promise.resolve() };
    pending.set(key, entry);
    entry.done = serialize(key, async () => {
      pending.delete(key);
      await repo.add(petitionId, country, entry.delta, clock());
      cache.delete(petitionId);
    });
    return entry.done;
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
