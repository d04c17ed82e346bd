import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { SignatureRepository } from '../signatures/signature-repository.js';
import type { TallyRepository } from './tally-repository.js';

export interface Drift {
  petition: string;
  country: string;
  maintained: number;
  counted: number;
}

/** Rebuilds the maintained tallies from the signatures themselves and reports every difference. */
export function createRecount(deps: { petitions: PetitionRepository; signatures: SignatureRepository; tallies: TallyRepository; clock: () => Date }) {
  return async function recount({ fix = true } = {}): Promise<{ petitions: number; drift: Drift[] }> {
    const drift: Drift[] = [];
    const all = [...(await deps.petitions.listByStatus('open')), ...(await deps.petitions.listByStatus('closed'))];
    for (const petition of all) {
      const counted = await deps.signatures.countConfirmedByCountry(petition.id);
      const maintained = new Map((await deps.tallies.read(petition.id)).rows.map((r) => [r.country, r.count]));
      const corrections = new Map<string, number>();
      for (const country of new Set([...counted.keys(), ...maintained.keys()])) {
        const c = counted.get(country) ?? 0;
        const m = maintained.get(country) ?? 0;
        if (c === m) continue;
        drift.push({ petition: petition.slug, country, maintained: m, counted: c });
        corrections.set(country, c);
      }
      if (fix && corrections.size > 0) await deps.tallies.set(petition.id, corrections, deps.clock());
    }
    return { petitions: all.length, drift };
  };
}
