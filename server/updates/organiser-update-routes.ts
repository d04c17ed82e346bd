import { Router, type Request, type RequestHandler, type Response } from 'express';
import { allow } from '../accounts/current-user.js';
import { intlLocale } from '../i18n/languages.js';
import { languageName } from '../petitions/petition-languages.js';
import type { Petition } from '../petitions/petition-types.js';
import { jobProgressView } from '../web/job-progress-view.js';
import type { OrganiserUpdate } from './organiser-update-repository.js';
import { readUpdateText, UPDATE_BODY_MAX, UPDATE_TITLE_MAX, type OrganiserUpdates, type UpdateText } from './organiser-updates.js';

interface Deps {
  updates: OrganiserUpdates;
  protect: RequestHandler;
}

type Params = Request<{ slug: string; id: string }>;
type Translate = (key: string, vars?: Record<string, unknown>) => string;

const listUrl = (slug: string) => `/admin/petitions/${encodeURIComponent(slug)}/updates`;
const updateUrl = (slug: string, id: string) => `${listUrl(slug)}/${id}`;

/** Organisers and admins write to the signers who asked for updates; analysts may not (PERMISSIONS.sendUpdates). */
export function organiserUpdateRoutes({ updates, protect }: Deps): Router {
  const router = Router();
  const send = allow('sendUpdates');

  function renderList(res: Response, petition: Petition, sent: OrganiserUpdate[], form: { values: Partial<UpdateText> & { id?: string }; errors?: Record<string, string> }) {
    const { lang, t } = res.locals as { lang: string; t: Translate };
    const errors = Object.fromEntries(Object.entries(form.errors ?? {}).map(([field, key]) => [field, t(key, { max: field === 'title' ? UPDATE_TITLE_MAX : UPDATE_BODY_MAX })]));
    const date = new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
    res.render('admin/organiser-updates', {
      layout: 'admin',
      title: t('organiserUpdates.list.title'),
      petition,
      sent: sent.map((u) => ({ ...u, url: updateUrl(petition.slug, u.id), date: date.format(u.sentAt!) })),
      languageNote: t('organiserUpdates.form.languageNote', { language: languageName(petition.language, lang) }),
      action: listUrl(petition.slug),
      values: form.values,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      maxTitle: UPDATE_TITLE_MAX,
      maxBody: UPDATE_BODY_MAX,
    });
  }

  router.get('/petitions/:slug/updates', send, async (req: Params, res) => {
    const petition = await updates.petitionFor(req.params.slug);
    renderList(res, petition, await updates.list(petition), { values: {} });
  });

  // Saves a draft (new, or `id` edited) and shows its preview.
  router.post('/petitions/:slug/updates', send, protect, async (req: Params, res) => {
    const petition = await updates.petitionFor(req.params.slug);
    const form = req.body as Record<string, unknown>;
    const id = typeof form.id === 'string' && form.id ? form.id : undefined;
    const { text, errors } = readUpdateText(form);
    if (Object.keys(errors).length > 0) {
      res.status(422);
      return renderList(res, petition, await updates.list(petition), { values: { ...text, id }, errors });
    }
    const update = await updates.saveDraft(petition, id, text, req.user!.email);
    res.redirect(303, updateUrl(petition.slug, update.id));
  });

  router.get('/petitions/:slug/updates/:id', send, async (req: Params, res) => {
    const { petition, update } = await updates.find(req.params.slug, req.params.id);
    const { lang, t } = res.locals as { lang: string; t: Translate };
    const progress =
      update.status === 'sent'
        ? jobProgressView(await updates.status(update), { id: `update-${update.id}`, heading: t('organiserUpdates.show.sending'), url: `/admin/api${updateUrl(petition.slug, update.id)}`, download: null, keys: 'organiserUpdates.progress' }, t, lang)
        : null;
    res.render('admin/organiser-update', {
      layout: 'admin',
      title: update.title,
      petition,
      update,
      preview: updates.preview(update),
      listUrl: listUrl(petition.slug),
      url: updateUrl(petition.slug, update.id),
      draft: update.status === 'draft',
      progress,
      tested: req.query.tested === '1',
    });
  });

  router.post('/petitions/:slug/updates/:id/test', send, protect, async (req: Params, res) => {
    const { petition, update } = await updates.find(req.params.slug, req.params.id);
    await updates.sendTest(update, req.user!.email);
    res.redirect(303, `${updateUrl(petition.slug, update.id)}?tested=1`);
  });

  router.post('/petitions/:slug/updates/:id/send', send, protect, async (req: Params, res) => {
    const { petition, update } = await updates.find(req.params.slug, req.params.id);
    await updates.send(petition, update, req.user!.email);
    res.redirect(303, updateUrl(petition.slug, update.id));
  });

  return router;
}

/** The progress bar's status (the workspace's JSON API). */
export function organiserUpdateApiRoutes({ updates }: Pick<Deps, 'updates'>): Router {
  const router = Router();
  router.get('/petitions/:slug/updates/:id', allow('sendUpdates'), async (req: Params, res) => {
    const { update } = await updates.find(req.params.slug, req.params.id);
    res.json(await updates.status(update));
  });
  return router;
}
