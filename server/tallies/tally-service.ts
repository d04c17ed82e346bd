import { createBatcher } from '../shared/batcher.js';
import { encodeHost, type TallyDocument, type TallyRepository } from './tally-repository.js';

export interface Tally {
  /** Everything counted: confirmed online plus paper. */
  total: number;
  countries: { code: string; count: number; online: number; paper: number }[];
  confirmed: number;
  paper: number;
  pending: number;
  invalidated: number;
  daily: { day: string; count: number }[];
  refs: { code: string; count: number }[];
  sources: { host: string; count: number }[];
  updatedAt: Date | null;
}

/** The counter names a change may use. */
export const counter = {
  confirmed: (country: string) => `counts.${country}`,
  paper: (country: string) => `paper.${country}`,
  pending: 'pending',
  invalidated: 'invalidated',
  day: (at: Date) => `daily.${at.toISOString().slice(0, 10)}`,
  ref: (code: string) => `refs.${code}`,
  source: (host: string) => `sources.${encodeHost(host)}`,
};

/** Deltas by counter name; several changes to one counter add up. */
export type TallyChanges = Record<string, number>;

const byCount = <T extends { count: number }>(key: (x: T) => string) => (a: T, b: T) => b.count - a.count || key(a).localeCompare(key(b));
const listOf = (m: Map<string, number>) => [...m].filter(([, n]) => n > 0);

export function summarise(doc: TallyDocument): Tally {
  const codes = new Set([...doc.confirmed.keys(), ...doc.paper.keys()]);
  const countries = [...codes]
    .map((code) => {
      const online = doc.confirmed.get(code) ?? 0;
      const paper = doc.paper.get(code) ?? 0;
      return { code, online, paper, count: online + paper };
    })
    .filter((c) => c.count > 0)
    .sort(byCount((c) => c.code));
  const sum = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);
  return {
    total: countries.reduce((s, c) => s + c.count, 0),
    countries,
    confirmed: sum(doc.confirmed),
    paper: sum(doc.paper),
    pending: doc.pending,
    invalidated: doc.invalidated,
    daily: listOf(doc.daily)
      .map(([day, count]) => ({ day, count }))
      .sort((a, b) => a.day.localeCompare(b.day)),
    refs: listOf(doc.refs).map(([code, count]) => ({ code, count })).sort(byCount((r) => r.code)),
    sources: listOf(doc.sources).map(([host, count]) => ({ host, count })).sort(byCount((r) => r.host)),
    updatedAt: doc.updatedAt,
  };
}

interface Deps {
  repo: TallyRepository;
  clock: () => Date;
  cacheSeconds: number;
}

/**
 * Maintained counts. A petition's changes are coalesced and written one write at a time by this
 * process: FerretDB 1.x applies an update as read-modify-write, so two concurrent $inc on one
 * document could lose one. (On MongoDB $inc is atomic across instances anyway.)
 */
export function createTallyService({ repo, clock, cacheSeconds }: Deps) {
  const cache = new Map<string, { at: number; tally: Tally }>();
  // One group-commit batcher per petition: a single write in flight, carrying every change queued meanwhile.
  const batchers = new Map<string, (changes: TallyChanges) => Promise<void>>();

  function change(petitionId: string, changes: TallyChanges): Promise<void> {
    let batcher = batchers.get(petitionId);
    if (!batcher) {
      batcher = createBatcher<TallyChanges, void>(async (batch) => {
        const deltas = new Map<string, number>();
        for (const c of batch) for (const [field, d] of Object.entries(c)) deltas.set(field, (deltas.get(field) ?? 0) + d);
        await repo.add(petitionId, deltas, clock());
        cache.delete(petitionId);
        return batch.map(() => undefined);
      });
      batchers.set(petitionId, batcher);
    }
    return batcher(changes);
  }

  async function read(petitionId: string, { fresh = false } = {}): Promise<Tally> {
    const cached = cache.get(petitionId);
    if (!fresh && cached && Date.now() - cached.at < cacheSeconds * 1000) return cached.tally;
    const tally = summarise(await repo.read(petitionId));
    cache.set(petitionId, { at: Date.now(), tally });
    return tally;
  }

  return { change, read };
}

export type TallyService = ReturnType<typeof createTallyService>;
