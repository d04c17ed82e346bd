import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { Petition } from '../petitions/petition-types.js';
import { NotFoundError } from '../shared/errors.js';
import type { Tally, TallyService } from '../tallies/tally-service.js';
import { countryRows, type CountryRow } from './country-table.js';

/**
 * Any petition by slug, drafts included (the workspace sees every status), with its fresh tally.
 * Only the maintained tally document is read, never signatures: one _id lookup at any size.
 */
export async function petitionWithTally(petitions: PetitionRepository, tallies: TallyService, slug: string): Promise<{ petition: Petition; tally: Tally }> {
  const petition = await petitions.findBySlug(slug);
  if (!petition) throw new NotFoundError('There is no petition at this address.');
  return { petition, tally: await tallies.read(petition.id, { fresh: true }) };
}

export interface Dashboard {
  petition: Pick<Petition, 'slug' | 'title' | 'status' | 'goal' | 'verification'>;
  totals: { confirmed: number; pending: number; invalidated: number; paper: number; total: number };
  /** Largest total first. */
  countries: CountryRow[];
  daily: Tally['daily'];
  refs: Tally['refs'];
  sources: Tally['sources'];
  updatedAt: Date | null;
}

export function createDashboardService({ petitions, tallies }: { petitions: PetitionRepository; tallies: TallyService }) {
  return {
    async load(slug: string, lang: string): Promise<Dashboard> {
      const { petition, tally } = await petitionWithTally(petitions, tallies, slug);
      const { title, status, goal, verification } = petition;
      return {
        petition: { slug: petition.slug, title, status, goal, verification },
        totals: { confirmed: tally.confirmed, pending: tally.pending, invalidated: tally.invalidated, paper: tally.paper, total: tally.total },
        countries: countryRows(tally.countries, lang),
        daily: tally.daily,
        refs: tally.refs,
        sources: tally.sources,
        updatedAt: tally.updatedAt,
      };
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
