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
 * one document could lose one. (On MongoDB $inc is atomic across instances anyway.) Coalescing
 * also means one write carries every confirmation that arrived while the previous one was in flight.
 */
export function createTallyService({ repo, clock, cacheSeconds }: Deps) {
  const pending = new Map<string, { deltas: Map<string, number>; done: Promise<void> }>();
  const writing = new Map<string, Promise<void>>();
  const cache = new Map<string, { at: number; tally: Tally }>();

  function add(petitionId: string, country: string, delta: number): Promise<void> {
    let batch = pending.get(petitionId);
    if (!batch) {
      const deltas = new Map<string, number>();
      const previous = writing.get(petitionId) ?? Promise.resolve();
      const done = previous
        .catch(() => undefined)
        .then(async () => {
          pending.delete(petitionId);
          await repo.add(petitionId, deltas, clock());
          cache.delete(petitionId);
        });
      batch = { deltas, done };
      pending.set(petitionId, batch);
      writing.set(petitionId, done);
      void done.catch(() => undefined).then(() => {
        if (writing.get(petitionId) === done) writing.delete(petitionId);
      });
    }
    batch.deltas.set(country, (batch.deltas.get(country) ?? 0) + delta);
    return batch.done;
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
