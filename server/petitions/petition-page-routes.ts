import { direction, intlLocale, type Language } from '../i18n/languages.js';
import { languageName } from './petition-languages.js';
import { Router, type Request, type Response } from 'express';
import { NotFoundError } from '../shared/errors.js';
import { countryOptions } from '../countries/countries.js';
import { HOST } from '../signatures/signature-input.js';
import type { FormGuard } from '../web/form-guard.js';
import type { PetitionDetails, PetitionService } from './petition-service.js';
import { fieldMessages } from '../web/field-errors.js';
import type { DeliveredSection } from '../deliveries/delivery-public-routes.js';
import type { UpdatesSection } from '../updates/organiser-update-public.js';
import { publicationText } from '../tallies/publication-text.js';
import { shareBlock } from '../sharing/share-block.js';
import { isShareCode } from '../sharing/index.js';
import { mapShapes, renderWorldMap } from '../dashboard/world-map.js';
import type { PetitionImages } from './petition-image.js';
import { createPageCache, SLOTS, type PerBrowser } from './petition-page-cache.js';
import { matchesEtag } from '../web/etag.js';
import { petitionLinkPreview } from '../site/link-preview.js';
import { retentionSentence } from './retention-text.js';

// The first ten countries show; the rest fold under "show all N".
const COUNTRIES_SHOWN = 10;
// A page is 35-60 kB: 100 pages (every language of a few petitions, with their share links' ?ref= values) are a few MB.
const PAGE_CACHE_ENTRIES = 100;

export interface FormState {
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  notice?: string;
}

/**
 * The referring site's host name, when a person arrived from another site: the dashboard counts
 * signatures by source. Our own pages, unparsable or non-web referrers give nothing.
 */
export function externalReferrer(referer: string | undefined, ownHosts: (string | undefined)[]): string | undefined {
  if (!referer) return undefined;
  let url: URL;
  try {
    url = new URL(referer);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  const own = ownHosts.filter((h): h is string => !!h).map((h) => h.toLowerCase());
  return own.includes(host) || !HOST.test(host) ? undefined : host;
}

const hostOf = (url: string | undefined) => {
  try {
    return url ? new URL(url).hostname : undefined;
  } catch {
    return undefined;
  }
};

/** What the petition view shows, for the public page and the organisers' preview alike. */
export function petitionView(petition: PetitionDetails, lang: string, t: (key: string, vars?: Record<string, unknown>) => string, { preview = false } = {}) {
  const number = new Intl.NumberFormat(intlLocale(lang));
  const when = (at: Date | null) => (at ? new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' }).format(at) : '');
  return {
    title: petition.title,
    petition,
    // The petition's own words carry their language when it is not the page's (a fallback, or a preview).
    text: petition.language === lang ? null : { lang: petition.language, dir: direction(petition.language) },
    // Another language's addressee inside this page's sentence is isolated (FSI … PDI), so neither reorders the other.
    targetLine: t('petition.target', { target: petition.language === lang ? petition.target : `\u2068${petition.target}\u2069` }),
    // In the page's language, naming both languages in it: "… pas encore disponible en français … : anglais."
    languageNote: petition.fallback ? t('petitionLanguages.fallback', { language: languageName(lang as Language, lang), original: languageName(petition.language, lang) }) : null,
    progress: Math.min(100, Math.round((petition.total / Math.max(1, petition.goal)) * 100)),
    // The sentence in this page's language with a slot for the live count, which live-count.js fills in.
    progressTemplate: t('petition.progress', { total: '{total}', goal: number.format(petition.goal) }),
    topCountries: petition.countries.slice(0, COUNTRIES_SHOWN),
    moreCountries: petition.countries.slice(COUNTRIES_SHOWN),
    countryCount: petition.countries.length,
    mapHeight: mapShapes().height,
    image: petition.image && { ...petition.image, lang: petition.image.lang === lang ? null : petition.image.lang },
    countsNote: petition.publication ? publicationText(petition.publication, t, lang) : null,
    // A draft's preview shows the form it will have once opened, inert.
    showForm: petition.signing === 'open' || (preview && petition.status === 'draft'),
    // One sentence in the page's language: how long the signers' personal data is kept.
    retentionNote: retentionSentence(petition.retention, lang, t),
    notYetOpen: petition.signing === 'not_open' ? t('petition.notYetOpen', { date: when(petition.opensAt) }) : null,
    preview,
  };
}

/** Renders a petition page with its sign form; the sign route re-uses it to show errors in place. */
export function createPetitionPageRenderer(
  petitions: PetitionService,
  guard: FormGuard,
  csrfToken: (req: Request, res: Response) => string,
  /** The site's public address (config.BASE_URL): links from it are not referrals; link previews are absolute. */
  siteUrl: string,
  /** The handovers so far, for the page's "Delivered" section. */
  delivered?: DeliveredSection,
  /**
   * config.COUNT_CACHE_SECONDS. A page shows a count, so a rendered page is shared by every visitor as long as a count
   * may be kept. Its count was read when it was rendered, from the tally service's copy, itself at most that old on
   * another instance (this instance's own writes replace it at once): at most twice that, 4 s by default.
   */
  cacheSeconds = 0,
  /** The organisers' sent updates, for the page's "Updates" section. */
  updates?: UpdatesSection,
) {
  const siteHost = hostOf(siteUrl);
  const pages = createPageCache({ ttlMs: cacheSeconds * 1000, maxEntries: PAGE_CACHE_ENTRIES });

  /** The page with `browser`'s parts: one person's values, or the cache's slots. */
  async function render(req: Request, res: Response, slug: string, form: FormState, browser: PerBrowser): Promise<string> {
    const { lang, t } = res.locals;
    const petition = await petitions.details(slug, lang);
    // A campaign link's ?ref= and the referring site travel with the form (validated again on submit, like every field).
    const ref = typeof req.query.ref === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(req.query.ref) ? req.query.ref : undefined;
    const values = form.values ?? { ref, referrer: browser.referrer, via: isShareCode(req.query.via) ? req.query.via : undefined };
    const errors = fieldMessages(form.errors, t);
    const view = {
      ...petitionView(petition, lang, t),
      meta: petitionLinkPreview(petition, lang, siteUrl, t),
      countries: countryOptions(lang).map((c) => ({ ...c, selected: c.code === values.country })),
      values,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      notice: form.notice ? t(form.notice) : null,
      csrfToken: browser.csrfToken,
      started: browser.started,
      delivered: delivered ? await delivered(slug, lang) : [],
      updates: updates ? await updates(slug, lang) : [],
      share: await shareBlock({ baseUrl: siteUrl, prefix: res.locals.prefix, petition, t }),
      // The footer links this petition's privacy notice rather than the site's.
      privacyPath: `/petitions/${petition.slug}/privacy`,
    };
    return new Promise((resolve, reject) => res.render('petition', view, (error, html) => (error ? reject(error) : resolve(html))));
  }

  return async (req: Request, res: Response, slug: string, form?: FormState) => {
    const browser = { csrfToken: csrfToken(req, res), started: guard.issue(), referrer: externalReferrer(req.get('referer'), [req.hostname, siteHost]) ?? '' };
    if (form) {
      // A failed submit shows the person's own values and errors: never cached, never shared (and no-store, like every page).
      res.send(await render(req, res, slug, form, browser));
      return;
    }
    // Everything else on the page follows from the petition, the language and the address: its path (the canonical link)
    // and query string (ref, via, the switcher's links).
    const key = `${res.locals.lang}\n${req.originalUrl}`;
    const { updatedAt } = await petitions.findVisible(slug);
    const page = await pages.get(key, String(updatedAt.getTime()), () => render(req, res, slug, {}, SLOTS));
    const { html, etag } = page.for(browser);
    // no-cache, not no-store: the browser may keep the page, and asks with its ETag before showing it again.
    res.set({ 'Cache-Control': 'private, no-cache', ETag: etag });
    if (matchesEtag(req.get('if-none-match'), etag)) return void res.status(304).end();
    res.type('html').send(html);
  };
}

export type PetitionPageRenderer = ReturnType<typeof createPetitionPageRenderer>;

export function petitionPageRoutes(petitions: PetitionService, renderPetition: PetitionPageRenderer, images: Pick<PetitionImages, 'read'>): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    const { lang, t } = res.locals;
    const list = await petitions.listOpen(lang);
    res.render('home', { title: t('home.title'), petitions: list.map((p) => ({ ...p, other: p.language !== lang, dir: direction(p.language) })) });
  });

  router.get('/petitions/:slug', async (req, res) => {
    await renderPetition(req, res, req.params.slug);
  });

  // The dashboard's map with the counts the public may see (published ones for petitions without verification).
  router.get('/petitions/:slug/map.svg', async (req, res) => {
    const { lang, t } = res.locals;
    const petition = await petitions.details(req.params.slug, lang);
    const number = new Intl.NumberFormat(intlLocale(lang));
    const names = new Map(petition.countries.map((c) => [c.code, c.name]));
    const map = renderWorldMap(new Map(petition.countries.map((c) => [c.code, c.count])), {
      label: t('petitionPage.mapAlt'),
      describe: (code, count) => `${names.get(code) ?? code}: ${number.format(count)}`,
    });
    res.set({ 'Content-Type': 'image/svg+xml; charset=utf-8', 'Cache-Control': 'public, max-age=60' }).send(map.svg);
  });

  router.get('/petitions/:slug/image', async (req, res) => {
    const image = await images.read(req.params.slug);
    if (!image) throw new NotFoundError('This petition has no image.');
    // The page links the image with its version: that address never changes content and may be kept for a year.
    const cache = req.query.v === image.version ? 'public, max-age=31536000, immutable' : 'public, max-age=300';
    res.set({ 'Content-Type': image.contentType, 'Cache-Control': cache, ETag: `"${image.version}"` });
    if (req.fresh) {
      res.status(304).end();
      return;
    }
    res.send(image.data);
  });

  return router;
}
