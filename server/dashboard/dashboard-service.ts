import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { Petition } from '../petitions/petition-types.js';
import { languagesOf } from '../petitions/petition-text.js';
import type { Language } from '../i18n/languages.js';
import { NotFoundError } from '../shared/errors.js';
import type { Publication, PublishedCounts } from '../tallies/published-counts.js';
import type { Tally } from '../tallies/tally-service.js';
import { countryRows, type CountryRow } from './country-table.js';
import type { ShareCodeService } from '../sharing/index.js';

/** Who is looking: `live` for organisers and admins, who see live counts and "awaiting confirmation". */
export interface Viewer {
  live: boolean;
}

/**
 * Any petition by slug, drafts included (the workspace sees every status), with the tally its viewer
 * may see: fresh for those who see live counts, else as the public sees it (tallies/published-counts.ts).
 * Only maintained tally documents are read, never signatures: one _id lookup at any size.
 */
export async function petitionWithTally(
  petitions: PetitionRepository,
  counts: Pick<PublishedCounts, 'read'>,
  slug: string,
  { live }: Viewer,
): Promise<{ petition: Petition; tally: Tally; publication: Publication | null }> {
  const petition = await petitions.findBySlug(slug);
  if (!petition) throw new NotFoundError('There is no petition at this address.');
  return { petition, ...(await counts.read(petition, { live, fresh: live })) };
}

export interface Dashboard {
  /** `languages`: those the petition has a text in, its main language first. */
  petition: Pick<Petition, 'slug' | 'title' | 'status' | 'goal' | 'verification'> & { languages: Language[] };
  /** `pending` only for those who see live counts: whether it moves tells whether an address had signed. */
  totals: { confirmed: number; pending?: number; invalidated: number; paper: number; total: number };
  /** Largest total first. */
  countries: CountryRow[];
  daily: Tally['daily'];
  refs: Tally['refs'];
  /** The signers' personal links that brought the most signatures: counts under an opaque label, never a code or whose it is. */
  topCodes: { label: string; count: number }[];
  sources: Tally['sources'];
  updatedAt: Date | null;
  /** Whether these counts are live, and how others see them when they are published with delay. */
  live: boolean;
  publication: Publication | null;
}

interface Deps {
  petitions: PetitionRepository;
  counts: Pick<PublishedCounts, 'read'>;
  shareCodes: Pick<ShareCodeService, 'top'>;
}

export function createDashboardService({ petitions, counts, shareCodes }: Deps) {
  return {
    async load(slug: string, lang: string, viewer: Viewer): Promise<Dashboard> {
      const { petition, tally, publication } = await petitionWithTally(petitions, counts, slug, viewer);
      const { title, status, goal, verification } = petition;
      const { confirmed, pending, invalidated, paper, total } = tally;
      return {
        petition: { slug: petition.slug, title, status, goal, verification, languages: languagesOf(petition) },
        totals: viewer.live ? { confirmed, pending, invalidated, paper, total } : { confirmed, invalidated, paper, total },
        countries: countryRows(tally.countries, lang),
        daily: tally.daily,
        refs: tally.refs,
        topCodes: await shareCodes.top(petition.id),
        sources: tally.sources,
        updatedAt: tally.updatedAt,
        live: viewer.live,
        publication,
      };
    },
  };
}

export type DashboardService = ReturnType<typeof createDashboardService>;
