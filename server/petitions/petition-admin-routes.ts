import { Router, type Request, type RequestHandler, type Response } from 'express';
import { NotFoundError } from '../shared/errors.js';
import { allow } from '../accounts/current-user.js';
import type { AuditLog } from '../audit/audit-repository.js';
import { countryOptions } from '../countries/countries.js';
import type { PetitionAdminService } from './petition-admin-service.js';
import { petitionFormValues as formValues, toDatetimeLocal, translationFormValues } from './petition-input.js';
import { fieldErrors } from '../web/form-input.js';
import { petitionView } from './petition-page-routes.js';
import { DEFAULT_RETENTION, type Petition } from './petition-types.js';
import { fieldMessages } from '../web/field-errors.js';
import { publicationPeriod } from '../tallies/publication-text.js';
import type { I18n } from '../i18n/i18n.js';
import { LANGUAGES, isLanguage, type Language } from '../i18n/languages.js';
import { languageSections } from './petition-form-view.js';
import { languageCoverage, languageName } from './petition-languages.js';
import { languagesOf } from './petition-text.js';
import { receivePhoto } from '../deliveries/delivery-photo.js';
import type { PetitionImages } from './petition-image.js';

interface Deps {
  petitions: PetitionAdminService;
  images: Pick<PetitionImages, 'set' | 'remove' | 'maxMb'>;
  audit: AuditLog;
  protect: RequestHandler;
  /** The preview speaks the language it shows, whatever the workspace's. */
  i18n: Pick<I18n, 't' | 'direction'>;
}

type Params = Request<{ slug: string }>;

const dashboard = (slug: string) => `/admin/petitions/${encodeURIComponent(slug)}`;

const storedValues = (p: Petition): Record<string, string> => ({
  slug: p.slug,
  title: p.title,
  summary: p.summary,
  body: p.body,
  target: p.target,
  language: p.language,
  ...translationFormValues(p.translations),
  goal: String(p.goal),
  verification: p.verification,
  opensAt: toDatetimeLocal(p.opensAt),
  closesAt: toDatetimeLocal(p.closesAt),
  retentionAfter: p.retention.after,
  retentionDays: String(p.retention.days),
});

/** Organisers create, edit, preview, open and close petitions. Mounted inside the admin router. */
export function petitionAdminRoutes({ petitions, images, audit, protect, i18n }: Deps): Router {
  const router = Router();
  const gate = allow('managePetitions');

  /** One form for new and existing petitions; `petition` is the stored one when editing. */
  function renderForm(
    res: Response,
    { petition, values, fields, imageFields }: { petition?: Petition; values: Record<string, string | undefined>; fields?: Record<string, string>; imageFields?: Record<string, string> },
  ) {
    const { t } = res.locals;
    const errors = fieldMessages(fields, t);
    const imageErrors = fieldMessages(imageFields, t);
    const everyMinutes = petitions.countsPublishedEveryMinutes;
    const noneWarning = [t('petitions.fields.verificationNoneWarning'), ...(everyMinutes > 0 ? [t('petitions.fields.verificationNoneDelay', { every: publicationPeriod({ everyMinutes, at: null }, t) })] : [])];
    res.render('admin/petition-form', {
      layout: 'admin',
      title: petition ? res.locals.t('petitions.edit.title', { title: petition.title }) : res.locals.t('petitions.new.title'),
      petition,
      action: petition ? `/admin/petitions/${petition.slug}/edit` : '/admin/petitions',
      slugLocked: !!petition && petition.status !== 'draft',
      values,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      noneWarning: noneWarning.join(' '),
      ...languageSections(values, errors),
      coverage: petition && languageCoverage(languagesOf(petition)),
      image: petition && {
        current: petition.image && { ...petition.image, src: `/petitions/${petition.slug}/image?v=${petition.image.fileId}` },
        errors: imageErrors,
        alt: imageFields ? values.alt : petition.image?.alt,
        maxMb: images.maxMb,
        language: languageName(petition.language, res.locals.lang),
      },
    });
  }

  router.get('/petitions/new', gate, (_req, res) => {
    renderForm(res, { values: { verification: 'email', retentionAfter: DEFAULT_RETENTION.after, retentionDays: String(DEFAULT_RETENTION.days) } });
  });

  router.post('/petitions', gate, protect, async (req, res) => {
    try {
      const petition = await petitions.create(req.body);
      await audit.record({ actor: req.user!.email, action: 'petition.create', petition: petition.slug, details: { status: petition.status }, rows: null });
      res.redirect(303, dashboard(petition.slug));
    } catch (error) {
      const refused = fieldErrors(error);
      renderForm(res.status(refused.status), { values: formValues(req.body), fields: refused.fields });
    }
  });

  router.get('/petitions/:slug/edit', gate, async (req: Params, res) => {
    const petition = await petitions.find(req.params.slug);
    renderForm(res, { petition, values: storedValues(petition) });
  });

  router.post('/petitions/:slug/edit', gate, protect, async (req: Params, res) => {
    try {
      const { petition, changed } = await petitions.update(req.params.slug, req.body);
      if (changed.length > 0) {
        const details = { changed, ...(petition.slug !== req.params.slug ? { from: req.params.slug } : {}) };
        await audit.record({ actor: req.user!.email, action: 'petition.update', petition: petition.slug, details, rows: null });
      }
      res.redirect(303, dashboard(petition.slug));
    } catch (error) {
      const refused = fieldErrors(error);
      renderForm(res.status(refused.status), { petition: await petitions.find(req.params.slug), values: formValues(req.body), fields: refused.fields });
    }
  });

  router.post('/petitions/:slug/image', gate, receivePhoto(images.maxMb), protect, async (req: Params, res) => {
    const alt = (req.body as Record<string, unknown> | undefined)?.alt;
    try {
      const image = await images.set(req.params.slug, req.file?.buffer ?? null, alt);
      await audit.record({ actor: req.user!.email, action: 'petition.image', petition: req.params.slug, details: { bytes: image.bytes }, rows: null });
      res.redirect(303, `${dashboard(req.params.slug)}/edit#image`);
    } catch (error) {
      const refused = fieldErrors(error);
      const petition = await petitions.find(req.params.slug);
      renderForm(res.status(refused.status), { petition, values: { ...storedValues(petition), alt: typeof alt === 'string' ? alt : '' }, imageFields: refused.fields });
    }
  });

  router.post('/petitions/:slug/image/remove', gate, protect, async (req: Params, res) => {
    await images.remove(req.params.slug);
    await audit.record({ actor: req.user!.email, action: 'petition.image.remove', petition: req.params.slug, details: {}, rows: null });
    res.redirect(303, `${dashboard(req.params.slug)}/edit#image`);
  });

  // The public page exactly as it will look, whatever the status, with an inert form and a banner saying so: in the
  // workspace's language, or in the one a path segment names (the page then speaks it: texts, direction, fonts).
  async function renderPreview(req: Params, res: Response, lang: Language) {
    const t = (key: string, vars?: Record<string, unknown>) => i18n.t(lang, key, vars);
    const details = await petitions.preview(req.params.slug, lang);
    res.render('petition', {
      ...petitionView(details, lang, t, { preview: true }),
      countries: countryOptions(lang),
      values: {},
      errors: {},
      lang,
      dir: i18n.direction(lang),
      t,
      // The switcher moves between previews, not the workspace's language.
      languages: LANGUAGES.map((l) => ({ code: l.code, name: l.name, dir: l.dir, current: l.code === lang, href: `/admin/petitions/${encodeURIComponent(details.slug)}/preview/${l.code}` })),
    });
  }

  router.get('/petitions/:slug/preview', gate, async (req: Params, res) => {
    await renderPreview(req, res, res.locals.lang as Language);
  });

  router.get('/petitions/:slug/preview/:lang', gate, async (req: Request<{ slug: string; lang: string }>, res) => {
    if (!isLanguage(req.params.lang)) throw new NotFoundError('We could not find that page.');
    await renderPreview(req, res, req.params.lang);
  });

  for (const action of ['open', 'close'] as const) {
    router.post(`/petitions/:slug/${action}`, gate, protect, async (req: Params, res) => {
      const petition = await petitions[action](req.params.slug);
      await audit.record({ actor: req.user!.email, action: `petition.${action}`, petition: petition.slug, details: {}, rows: null });
      res.redirect(303, dashboard(petition.slug));
    });
  }

  return router;
}
