import { countryName } from '../countries/countries.js';
import { AppError } from '../shared/errors.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { TallyService } from '../tallies/tally-service.js';
import type { PetitionRepository } from './petition-repository.js';
import type { NewPetition, Petition } from './petition-types.js';

export interface PetitionSummary {
  slug: string;
  title: string;
  summary: string;
  status: Petition['status'];
  goal: number;
  total: number;
}

export interface PetitionDetails extends PetitionSummary {
  target: string;
  body: string;
  verification: Petition['verification'];
  countries: { code: string; name: string; count: number }[];
  updatedAt: Date | null;
}

export function createPetitionService({ petitions, tallies }: { petitions: PetitionRepository; tallies: TallyService }) {
  // Every signature needs its petition; a few seconds of staleness is fine for text and status.
  const bySlug = createTtlCache<Petition | null>(5000);

  async function findVisible(slug: string): Promise<Petition> {
    const petition = await bySlug.get(slug, () => petitions.findBySlug(slug));
    if (!petition || petition.status === 'draft') throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
    return petition;
  }

  return {
    findVisible,
    async listOpen(): Promise<PetitionSummary[]> {
      const list = await petitions.listByStatus('open');
      return Promise.all(
        list.map(async (p) => ({ slug: p.slug, title: p.title, summary: p.summary, status: p.status, goal: p.goal, total: (await tallies.read(p.id)).total })),
      );
    },
    async details(slug: string, lang: string): Promise<PetitionDetails> {
      const p = await findVisible(slug);
      const tally = await tallies.read(p.id);
      return {
        slug: p.slug,
        title: p.title,
        summary: p.summary,
        body: p.body,
        target: p.target,
        goal: p.goal,
        status: p.status,
        verification: p.verification,
        total: tally.total,
        countries: tally.countries.map((c) => ({ code: c.code, name: countryName(c.code, lang), count: c.count })),
        updatedAt: tally.updatedAt,
      };
    },
    async count(slug: string): Promise<{ total: number; updatedAt: Date | null }> {
      const p = await findVisible(slug);
      const { total, updatedAt } = await tallies.read(p.id);
      return { total, updatedAt };
    },
    async create(petition: NewPetition): Promise<boolean> {
      bySlug.clear();
      return petitions.insertIfAbsent(petition);
    },
  };
}

export type PetitionService = ReturnType<typeof createPetitionService>;
