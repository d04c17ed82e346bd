import { createHash } from 'node:crypto';
import { countryName } from '../countries/countries.js';
import { AppError } from '../shared/errors.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { Publication, PublishedCounts } from '../tallies/published-counts.js';
import { renderMarkdown } from './markdown.js';
import type { PetitionRepository } from './petition-repository.js';
import type { Language } from '../i18n/languages.js';
import { languagesOf, textIn } from './petition-text.js';
import type { NewPetition, Petition } from './petition-types.js';

export interface PetitionSummary {
  slug: string;
  title: string;
  summary: string;
  status: Petition['status'];
  goal: number;
  total: number;
  /** The language of `title` and `summary` (and of `target` and `body` in details): the one asked for, or the main one. */
  language: Language;
  /** Every language the petition has a text in, its main language first. */
  languages: Language[];
}

/** Whether the sign form is offered; mirrors the check in signature-service openPetition, which enforces it. */
export type SigningState = 'open' | 'not_open' | 'closed';

export function signingState(petition: Pick<Petition, 'status' | 'opensAt' | 'closesAt'>, now: Date): SigningState {
  if (petition.status !== 'open') return 'closed';
  if (petition.opensAt && petition.opensAt > now) return 'not_open';
  if (petition.closesAt && petition.closesAt <= now) return 'closed';
  return 'open';
}

export interface PetitionDetails extends PetitionSummary {
  target: string;
  body: string;
  /** The body rendered from Markdown and sanitised: the only HTML a view may output unescaped. */
  bodyHtml: string;
  signing: SigningState;
  opensAt: Date | null;
  closesAt: Date | null;
  verification: Petition['verification'];
  retention: Petition['retention'];
  countries: { code: string; name: string; count: number }[];
  updatedAt: Date | null;
  /** Set when the counts shown are published with delay (tallies/published-counts.ts). */
  publication: Publication | null;
  /** The petition lacks the language asked for: its text is in its main language. */
  fallback: boolean;
  /** The organiser's image; its `alt` is in `lang`, the petition's main language. `version` changes with the image. */
  image: { alt: string; lang: Language; width: number; height: number; version: string } | null;
}

interface Deps {
  petitions: PetitionRepository;
  /** What the public sees: for petitions without verification, counts published with delay. */
  counts: Pick<PublishedCounts, 'read'>;
  clock?: () => Date;
}

export function createPetitionService({ petitions, counts, clock = () => new Date() }: Deps) {
  // Every signature needs its petition; a few seconds of staleness is fine for text and status.
  const bySlug = createTtlCache<Petition | null>(5000);
  // Keyed by the source's hash, so an edit is never served stale; rendering up to 50,000 characters per view would be waste.
  const bodies = createTtlCache<string>(10 * 60_000, 200);
  const renderBody = (body: string) => bodies.get(createHash('sha256').update(body).digest('base64url'), () => Promise.resolve(renderMarkdown(body)));

  async function findVisible(slug: string): Promise<Petition> {
    const petition = await bySlug.get(slug, () => petitions.findBySlug(slug));
    if (!petition || petition.status === 'draft') throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
    return petition;
  }

  return {
    findVisible,
    /** The open petitions, each in `lang` when it has that language, else in its main one. */
    async listOpen(lang: string): Promise<PetitionSummary[]> {
      const list = await petitions.listByStatus('open');
      return Promise.all(
        list.map(async (p) => {
          const { title, summary, language } = textIn(p, lang);
          return { slug: p.slug, title, summary, language, languages: languagesOf(p), status: p.status, goal: p.goal, total: (await counts.read(p)).tally.total };
        }),
      );
    },
    /** The public view of a petition; `drafts` is for the organisers' preview only. */
    async details(slug: string, lang: string, { drafts = false } = {}): Promise<PetitionDetails> {
      const p = drafts ? await bySlug.get(slug, () => petitions.findBySlug(slug)) : await findVisible(slug);
      if (!p) throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
      const { tally, publication } = await counts.read(p);
      const text = textIn(p, lang);
      const bodyHtml = await renderBody(text.body);
      return {
        slug: p.slug,
        title: text.title,
        summary: text.summary,
        body: text.body,
        bodyHtml,
        language: text.language,
        languages: languagesOf(p),
        fallback: text.fallback,
        signing: signingState(p, clock()),
        opensAt: p.opensAt,
        closesAt: p.closesAt,
        target: text.target,
        goal: p.goal,
        status: p.status,
        verification: p.verification,
        retention: p.retention,
        total: tally.total,
        countries: tally.countries.map((c) => ({ code: c.code, name: countryName(c.code, lang), count: c.count })),
        updatedAt: tally.updatedAt,
        publication,
        image: p.image && { alt: p.image.alt, lang: p.language, width: p.image.width, height: p.image.height, version: p.image.fileId },
      };
    },
    async count(slug: string): Promise<{ total: number; updatedAt: Date | null }> {
      const p = await findVisible(slug);
      const { total, updatedAt } = (await counts.read(p)).tally;
      return { total, updatedAt };
    },
    async create(petition: NewPetition): Promise<boolean> {
      bySlug.clear();
      return petitions.insertIfAbsent(petition);
    },
    /**
     * Adds to a stored petition the translations it has no text for (never its main language), leaving the
     * ones it has as they are: organisers' edits win. Returns the languages added.
     */
    async addMissingTranslations(slug: string, translations: Petition['translations']): Promise<Language[]> {
      const p = await petitions.findBySlug(slug);
      if (!p) return [];
      const missing = (Object.keys(translations) as Language[]).filter((lang) => lang !== p.language && !p.translations[lang]);
      if (missing.length === 0) return [];
      await petitions.update(p.id, { translations: { ...p.translations, ...Object.fromEntries(missing.map((lang) => [lang, translations[lang]])) } });
      bySlug.clear();
      return missing;
    },
    /** After an organiser's change: this instance shows it at once (others within the cache's 5 s). */
    forget(): void {
      bySlug.clear();
    },
  };
}

export type PetitionService = ReturnType<typeof createPetitionService>;
