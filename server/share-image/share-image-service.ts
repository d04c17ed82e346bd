import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import type { I18n } from '../i18n/i18n.js';
import { direction, intlLocale, type Language } from '../i18n/languages.js';
import type { PetitionService } from '../petitions/petition-service.js';
import { textIn } from '../petitions/petition-text.js';
import type { Petition } from '../petitions/petition-types.js';
import type { PublishedCounts } from '../tallies/published-counts.js';
import type { ShareCard } from './share-card.js';
import type { ShareCardRenderer } from './share-card-renderer.js';

export interface ShareImage {
  png: Buffer;
  /** Strong: a hash of the bytes. */
  etag: string;
}

interface Deps {
  petitions: Pick<PetitionService, 'findVisible'>;
  /** The public counts, as the page shows them (delayed for petitions without verification). */
  counts: Pick<PublishedCounts, 'read'>;
  renderer: ShareCardRenderer;
  i18n: I18n;
  logger: Logger;
  /** The petition's own picture (petitions/petition-image.ts), or null. */
  petitionImage?: (petition: Petition) => Promise<Buffer | null>;
  /** Images kept in memory, each about 60 kB: one per petition and language. */
  maxEntries?: number;
}

/**
 * The count an image shows moves on when it passes the next step: three significant figures (1,000 at 323,832;
 * 10 at 1,234; every signature below 1,000), so an image is never more than 1% behind, and a petition's image in one
 * language is redrawn at most 900 times for each tenfold growth of its count, however fast it is signed.
 */
export const countStep = (total: number): number => (total < 100 ? 1 : 10 ** (Math.floor(Math.log10(total)) - 2));

/**
 * Share images per petition and language, kept in memory (a small LRU). A request gets the last image at once; when
 * the petition's text or its count step has moved on since, a fresh one is drawn in the background, one at a time,
 * and requests meanwhile share that one job. Only a petition's very first image is waited for, and only by the
 * image's own request: pages never ask for it.
 */
export function createShareImages({ petitions, counts, renderer, i18n, logger, petitionImage = () => Promise.resolve(null), maxEntries = 200 }: Deps) {
  const images = new Map<string, { version: string; image: ShareImage }>();
  const jobs = new Map<string, { version: string; card: () => Promise<ShareCard>; done: Promise<ShareImage> }>();
  let queue: Promise<unknown> = Promise.resolve();

  const keep = (slot: string, version: string, image: ShareImage) => {
    images.delete(slot);
    images.set(slot, { version, image });
    if (images.size > maxEntries) images.delete(images.keys().next().value!);
  };

  async function cardFor(petition: Petition, lang: Language, total: number): Promise<ShareCard> {
    const text = textIn(petition, lang);
    const number = new Intl.NumberFormat(intlLocale(lang));
    const percent = new Intl.NumberFormat(intlLocale(lang), { style: 'percent', maximumFractionDigits: 0 });
    const progress = total / Math.max(1, petition.goal);
    return {
      language: lang,
      rtl: direction(lang) === 'rtl',
      title: text.title,
      titleLanguage: text.language,
      countLine: i18n.t(lang, 'home.signatures', { count: total, formatted: number.format(total) }),
      goalLine: i18n.t(lang, 'shareImage.ofGoal', { percent: percent.format(Math.floor(progress * 100) / 100), goal: number.format(petition.goal) }),
      progress,
      siteName: i18n.t(lang, 'site.name'),
      image: await petitionImage(petition),
    };
  }

  /** Queues the drawing of a slot's image, or joins the job already queued (which then draws the newest card). */
  function schedule(slot: string, version: string, card: () => Promise<ShareCard>): Promise<ShareImage> {
    const queued = jobs.get(slot);
    if (queued) {
      Object.assign(queued, { version, card });
      return queued.done;
    }
    const job = { version, card };
    const done = queue.then(() => draw(slot, job));
    queue = done.catch((error: unknown) => logger.error({ err: error, slot }, 'share image failed'));
    jobs.set(slot, Object.assign(job, { done }));
    return done;
  }

  async function draw(slot: string, job: { version: string; card: () => Promise<ShareCard> }): Promise<ShareImage> {
    jobs.delete(slot);
    const started = performance.now();
    const png = await renderer.render(await job.card());
    const image = { png, etag: `"${createHash('sha256').update(png).digest('base64url').slice(0, 32)}"` };
    keep(slot, job.version, image);
    logger.debug({ slot, ms: Math.round(performance.now() - started) }, 'share image drawn');
    return image;
  }

  return {
    /** The image of a visible petition in `lang` (a 404 AppError for an unknown or draft one). */
    async get(slug: string, lang: Language): Promise<ShareImage> {
      const petition = await petitions.findVisible(slug);
      const total = (await counts.read(petition)).tally.total;
      const slot = `${petition.id}:${lang}`;
      const version = `${petition.updatedAt.getTime()}:${petition.image?.fileId ?? ''}:${total - (total % countStep(total))}`;
      const kept = images.get(slot);
      if (kept?.version === version) {
        keep(slot, version, kept.image);
        return kept.image;
      }
      const drawn = schedule(slot, version, () => cardFor(petition, lang, total));
      if (!kept) return drawn;
      drawn.catch(() => undefined);
      return kept.image;
    },
    /** Waits for the image being drawn, then stops the drawing thread. */
    async close(): Promise<void> {
      await queue;
      await renderer.close();
    },
  };
}

export type ShareImages = ReturnType<typeof createShareImages>;
