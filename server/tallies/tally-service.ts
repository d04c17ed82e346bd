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
  /**
   * Least time between two writes of one petition's tally. Its document holds every counter, and
   * FerretDB rewrites it whole on each update (docs/embedded-database.md): under load a short gap
   * lets one write carry many changes.
   */
  writeGapMs?: number;
}

/**
 * Maintained counts. A petition's changes are coalesced and written one write at a time by this
 * process: FerretDB 1.x applies an update as read-modify-write, so two concurrent $inc on one
 * document could lose one. (On MongoDB $inc is atomic across instances anyway.)
 */
export function createTallyService({ repo, clock, cacheSeconds, writeGapMs = 0 }: Deps) {
  const cache = new Map<string, { at: number; tally: Tally }>();
  // One group-commit batcher per petition: a single write in flight, carrying every change queued meanwhile.
  const batchers = new Map<string, (item: { changes: TallyChanges; intent: string | null }) => Promise<void>>();
  // The last change queued per petition, settled either way: reads wait for it.
  const pending = new Map<string, Promise<void>>();
  // Journal entries closed since the petition's last write: their marks go with its next write.
  const released = new Map<string, string[]>();

  /** Adds `changes`; with `intent`, the journal entry they come from is marked applied in the same write. */
  function change(petitionId: string, changes: TallyChanges, intent: string | null = null): Promise<void> {
    let batcher = batchers.get(petitionId);
    if (!batcher) {
      batcher = createBatcher<{ changes: TallyChanges; intent: string | null }, void>(async (batch) => {
        const deltas = new Map<string, number>();
        for (const { changes: c } of batch) for (const [field, d] of Object.entries(c)) deltas.set(field, (deltas.get(field) ?? 0) + d);
        const unset = released.get(petitionId) ?? [];
        released.delete(petitionId);
        const set = batch.flatMap((b) => (b.intent ? [b.intent] : []));
        try {
          await repo.add(petitionId, deltas, clock(), { set, unset });
        } catch (error) {
          released.set(petitionId, [...unset, ...(released.get(petitionId) ?? [])]);
          throw error;
        }
        cache.delete(petitionId);
        return batch.map(() => undefined);
      }, 10_000, { gapMs: writeGapMs });
      batchers.set(petitionId, batcher);
    }
    const written = batcher({ changes, intent });
    const settled = written.then(
      () => undefined,
      () => undefined,
    );
    pending.set(petitionId, settled);
    void settled.then(() => pending.get(petitionId) === settled && pending.delete(petitionId));
    return written;
  }

  /** The journal entry is closed: its mark is removed with the petition's next write. */
  function release(petitionId: string, intent: string): void {
    const list = released.get(petitionId);
    if (list) list.push(intent);
    else released.set(petitionId, [intent]);
  }

  /**
   * Counts are written after the answer to a signer (the journal guarantees them), so a read first
   * waits for this process's writes already under way: whoever got a 200 sees themselves counted.
   */
  async function read(petitionId: string, { fresh = false } = {}): Promise<Tally> {
    await pending.get(petitionId);
    const cached = cache.get(petitionId);
    if (!fresh && cached && Date.now() - cached.at < cacheSeconds * 1000) return cached.tally;
    const tally = summarise(await repo.read(petitionId));
    cache.set(petitionId, { at: Date.now(), tally });
    return tally;
  }

  return { change, release, read };
}

export type TallyService = ReturnType<typeof createTallyService>;
