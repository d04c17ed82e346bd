import type { TallyService } from '../tallies/tally-service.js';
import type { PetitionRepository } from './petition-repository.js';
import type { PetitionService } from './petition-service.js';
import type { Petition } from './petition-types.js';

interface Deps {
  petitions: PetitionRepository;
  petitionService: PetitionService;
  tallies: TallyService;
  clock: () => Date;
}

/** What organisers do to petitions: list every one (drafts too), create, edit, open and close. */
export function createPetitionAdminService({ petitions, tallies }: Deps) {
  return {
    async list(): Promise<(Petition & { total: number })[]> {
      const all = await petitions.listAll();
      return Promise.all(all.map(async (p) => ({ ...p, total: (await tallies.read(p.id)).total })));
    },
  };
}

export type PetitionAdminService = ReturnType<typeof createPetitionAdminService>;
