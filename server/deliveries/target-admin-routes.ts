import { Router, type Request, type RequestHandler, type Response } from 'express';
import { allow } from '../accounts/current-user.js';
import { countryOptions } from '../countries/countries.js';
import type { Packet } from '../packets/packet-types.js';
import type { Petition } from '../petitions/petition-types.js';
import { fieldMessages } from '../web/field-errors.js';
import { TARGET_FIELDS, formValues } from './target-input.js';
import { fieldErrors } from '../web/form-input.js';
import type { TargetService } from './target-service.js';
import type { DeliveryTarget } from './target-types.js';
import { languageOptions, renderTargetPage, storedTargetValues, targetRow, type Translate } from './target-view.js';

export interface PacketLister {
  list(petitionId: string, targetId?: string): Promise<Packet[]>;
}

interface Deps {
  targets: TargetService;
  packets: PacketLister;
  protect: RequestHandler;
}

type Params = Request<{ slug: string; id: string }>;

export const targetUrl = (slug: string, id: string) => `/admin/petitions/${encodeURIComponent(slug)}/targets/${encodeURIComponent(id)}`;

export { fieldErrors };

/** Organisers manage the doors a petition is handed over at; analysts may look. */
export function targetAdminRoutes({ targets, packets, protect }: Deps): Router {
  const router = Router();
  const view = allow('viewDeliveries');
  const manage = allow('manageDeliveries');

  function renderForm(res: Response, petition: Petition, { target, values, fields }: { target?: DeliveryTarget; values: Record<string, unknown>; fields?: Record<string, string> }) {
    const { lang, t } = res.locals as { lang: string; t: Translate };
    const errors = fieldMessages(fields, t);
    res.render('admin/targets-form', {
      layout: 'admin',
      title: target ? t('deliveries.form.editTitle', { name: target.name }) : t('deliveries.form.newTitle'),
      petition,
      target,
      action: target ? `${targetUrl(petition.slug, target.id)}/edit` : `/admin/petitions/${petition.slug}/targets`,
      values,
      countries: countryOptions(lang).map((c) => ({ ...c, selected: c.code === values.country })),
      languages: languageOptions(typeof values.language === 'string' ? values.language : 'en'),
      errors,
      hasErrors: Object.keys(errors).length > 0,
    });
  }

  router.get('/petitions/:slug/targets', view, async (req: Params, res) => {
    const petition = await targets.petitionFor(req.params.slug);
    const rows = (await targets.listForPetition(petition.id)).map((target) => targetRow(target, petition.slug, res.locals.lang));
    res.render('admin/targets-list', { layout: 'admin', title: res.locals.t('deliveries.list.title'), petition, targets: rows });
  });

  router.get('/petitions/:slug/targets/new', manage, async (req: Params, res) => {
    renderForm(res, await targets.petitionFor(req.params.slug), { values: { language: 'en' } });
  });

  router.post('/petitions/:slug/targets', manage, protect, async (req: Params, res) => {
    const petition = await targets.petitionFor(req.params.slug);
    try {
      const target = await targets.create(petition.id, req.body, req.user!.email);
      res.redirect(303, targetUrl(petition.slug, target.id));
    } catch (error) {
      const refused = fieldErrors(error);
      renderForm(res.status(refused.status), petition, { values: formValues(req.body, TARGET_FIELDS), fields: refused.fields });
    }
  });

  router.get('/petitions/:slug/targets/:id', view, async (req: Params, res) => {
    const { petition, target } = await targets.targetOf(req.params.slug, req.params.id);
    renderTargetPage(res, { petition, target, packets: await packets.list(petition.id, target.id), photoMaxMb: targets.photoMaxMb });
  });

  router.get('/petitions/:slug/targets/:id/edit', manage, async (req: Params, res) => {
    const { petition, target } = await targets.targetOf(req.params.slug, req.params.id);
    renderForm(res, petition, { target, values: storedTargetValues(target) });
  });

  router.post('/petitions/:slug/targets/:id/edit', manage, protect, async (req: Params, res) => {
    const { petition, target } = await targets.targetOf(req.params.slug, req.params.id);
    try {
      await targets.update(target.id, req.body, req.user!.email);
      res.redirect(303, targetUrl(petition.slug, target.id));
    } catch (error) {
      const refused = fieldErrors(error);
      renderForm(res.status(refused.status), petition, { target, values: formValues(req.body, TARGET_FIELDS), fields: refused.fields });
    }
  });

  router.post('/petitions/:slug/targets/:id/delete', manage, protect, async (req: Params, res) => {
    const { petition, target } = await targets.targetOf(req.params.slug, req.params.id);
    await targets.remove(target.id, req.user!.email);
    res.redirect(303, `/admin/petitions/${petition.slug}/targets`);
  });

  return router;
}
