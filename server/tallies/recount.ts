import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { SignatureRepository } from '../signatures/signature-repository.js';
import type { TallyRepository } from './tally-repository.js';
import { counter } from './tally-service.js';

export interface Drift {
  petition: string;
  /** `GB`, `GB (paper)`, `pending` or `invalidated`. */
  counter: string;
  maintained: number;
  counted: number;
}

const label = (field: string) => (field.startsWith('counts.') ? field.slice(7) : field.startsWith('paper.') ? `${field.slice(6)} (paper)` : field);

/**
 * Rebuilds the maintained counts (confirmed and paper by country, pending, invalidated) from the
 * signatures themselves and reports every difference. Daily, ref and referrer counters are
 * statistics, not counts read out at an embassy, and are left as they are.
 */
export function createRecount(deps: { petitions: PetitionRepository; signatures: SignatureRepository; tallies: TallyRepository; clock: () => Date }) {
  return async function recount({ fix = true } = {}): Promise<{ petitions: number; drift: Drift[] }> {
    const drift: Drift[] = [];
    const all = await deps.petitions.listAll();
    for (const petition of all) {
      const counted = new Map<string, number>();
      const bump = (field: string, n: number) => counted.set(field, (counted.get(field) ?? 0) + n);
      for (const row of await deps.signatures.countByStatus(petition.id)) {
        if (row.status === 'pending') bump(counter.pending, row.count);
        else if (row.status === 'invalidated') bump(counter.invalidated, row.count);
        else bump(row.source === 'paper' ? counter.paper(row.country) : counter.confirmed(row.country), row.count);
      }
      const doc = await deps.tallies.read(petition.id);
      const maintained = new Map<string, number>([
        ...[...doc.confirmed].map(([cc, n]): [string, number] => [counter.confirmed(cc), n]),
        ...[...doc.paper].map(([cc, n]): [string, number] => [counter.paper(cc), n]),
        [counter.pending, doc.pending],
        [counter.invalidated, doc.invalidated],
      ]);
      const corrections = new Map<string, number>();
      for (const field of new Set([...counted.keys(), ...maintained.keys()])) {
        const c = counted.get(field) ?? 0;
        const m = maintained.get(field) ?? 0;
        if (c === m) continue;
        drift.push({ petition: petition.slug, counter: label(field), maintained: m, counted: c });
        corrections.set(field, c);
      }
      if (fix && corrections.size > 0) await deps.tallies.set(petition.id, corrections, deps.clock());
    }
    return { petitions: all.length, drift };
  };
}
