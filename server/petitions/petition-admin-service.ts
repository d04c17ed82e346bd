import { AppError, ValidationError } from '../shared/errors.js';
import type { PublishedCounts } from '../tallies/published-counts.js';
import { LANGUAGE_CODES, type Language } from '../i18n/languages.js';
import { parsePetitionInput, PETITION_FIELDS, TEXT_FIELDS, type PetitionFields } from './petition-input.js';
import type { PetitionRepository } from './petition-repository.js';
import type { PetitionDetails, PetitionService } from './petition-service.js';
import type { Petition, PetitionText } from './petition-types.js';

interface Deps {
  petitions: PetitionRepository;
  petitionService: PetitionService;
  counts: Pick<PublishedCounts, 'read' | 'everyMinutes'>;
  clock: () => Date;
}

const slugTaken = () => new AppError(409, 'slug_taken', 'Another petition already uses this address.', { slug: 'slug_taken' });

const same = (a: unknown, b: unknown) => (a instanceof Date && b instanceof Date ? a.getTime() === b.getTime() : a === b);
const sameText = (a: PetitionText | undefined, b: PetitionText | undefined) => (!a || !b ? a === b : TEXT_FIELDS.every((f) => a[f] === b[f]));

/** The fields an edit changed, a translation named by its language (`translations.es`), for the audit log. */
function changedFields(next: PetitionFields, current: Petition): string[] {
  const translations = LANGUAGE_CODES.filter((lang) => !sameText(next.translations[lang], current.translations[lang])).map((lang) => `translations.${lang}`);
  const retention = next.retention.after !== current.retention.after || next.retention.days !== current.retention.days ? ['retention'] : [];
  return [...PETITION_FIELDS.filter((f) => !same(next[f], current[f])), ...retention, ...translations];
}

/** What organisers do to petitions: list every one (drafts too), create, edit, preview, open and close. */
export function createPetitionAdminService({ petitions, petitionService, counts, clock }: Deps) {
  async function find(slug: string): Promise<Petition> {
    const petition = await petitions.findBySlug(slug);
    if (!petition) throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
    return petition;
  }

  function parse(input: unknown, language?: Language): PetitionFields {
    const parsed = parsePetitionInput(input, { language });
    if (!parsed.ok) throw new ValidationError(parsed.fields);
    return parsed.value;
  }

  async function setStatus(petition: Petition, status: Petition['status']): Promise<void> {
    if ((await petitions.update(petition.id, { status })) === 'missing') throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
    // The public page and the signing service read through this cache: they must see the change now.
    petitionService.forget();
  }

  return {
    /** `live`: the viewer may see live counts (organisers and admins); others see what the public sees. */
    async list({ live = false } = {}): Promise<(Petition & { total: number })[]> {
      const all = await petitions.listAll();
      return Promise.all(all.map(async (p) => ({ ...p, total: (await counts.read(p, { live })).tally.total })));
    },

    /** Any petition, drafts included: the workspace sees what the public does not. */
    find,

    /** A new petition is always a draft: nobody can sign it until an organiser opens it. */
    async create(input: unknown): Promise<Petition> {
      const fields = parse(input);
      if (!(await petitions.insertIfAbsent({ ...fields, status: 'draft' }))) throw slugTaken();
      petitionService.forget();
      return find(fields.slug);
    },

    /** Applies the form; returns the petition as it now is and the names of the fields that changed. */
    async update(slug: string, input: unknown): Promise<{ petition: Petition; changed: string[] }> {
      const current = await find(slug);
      const fields = parse(input, current.language);
      // Once open, the address is printed on leaflets and shared: it stays.
      if (fields.slug !== current.slug && current.status !== 'draft') throw new ValidationError({ slug: 'slug_locked' });
      const changed = changedFields(fields, current);
      if (changed.length > 0) {
        const outcome = await petitions.update(current.id, fields);
        if (outcome === 'slug_taken') throw slugTaken();
        if (outcome === 'missing') throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
        petitionService.forget();
      }
      return { petition: { ...current, ...fields }, changed };
    },

    async open(slug: string): Promise<Petition> {
      const petition = await find(slug);
      if (petition.status === 'open') throw new AppError(409, 'petition_already_open', 'This petition is already open.');
      if (petition.closesAt && petition.closesAt <= clock()) {
        throw new AppError(409, 'closing_date_passed', 'The closing date has passed. Change it before opening the petition.');
      }
      await setStatus(petition, 'open');
      return { ...petition, status: 'open' };
    },

    async close(slug: string): Promise<Petition> {
      const petition = await find(slug);
      if (petition.status !== 'open') throw new AppError(409, 'petition_not_open_to_close', 'Only an open petition can be closed.');
      await setStatus(petition, 'closed');
      return { ...petition, status: 'closed' };
    },

    /** The sites that may frame the petition's sign widget (already validated: petition-input.ts parseEmbedOrigins). */
    async setEmbedOrigins(slug: string, embedOrigins: string[]): Promise<{ petition: Petition; changed: boolean }> {
      const current = await find(slug);
      const changed = current.embedOrigins.join('\n') !== embedOrigins.join('\n');
      if (changed) {
        if ((await petitions.update(current.id, { embedOrigins })) === 'missing') throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
        // The embed reads the petition through the service's cache: the new policy applies at once here.
        petitionService.forget();
      }
      return { petition: { ...current, embedOrigins }, changed };
    },

    /** How often the counts of petitions without verification are published; 0 when they are shown live. */
    countsPublishedEveryMinutes: counts.everyMinutes,

    /** The public page's content for any status, so a draft can be read before it goes out. */
    preview: (slug: string, lang: string): Promise<PetitionDetails> => petitionService.details(slug, lang, { drafts: true }),
  };
}

export type PetitionAdminService = ReturnType<typeof createPetitionAdminService>;
