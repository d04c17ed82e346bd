import { Router, type Request, type Response } from 'express';
import { countryOptions } from '../countries/countries.js';
import type { FormGuard } from '../web/form-guard.js';
import type { PetitionService } from './petition-service.js';

export interface FormState {
  values?: Record<string, unknown>;
  errors?: Record<string, string>;
  notice?: string;
}

/** Renders a petition page with its sign form; the sign route re-uses it to show errors in place. */
export function createPetitionPageRenderer(petitions: PetitionService, guard: FormGuard, csrfToken: (req: Request, res: Response) => string) {
  return async (req: Request, res: Response, slug: string, form: FormState = {}) => {
    const lang = res.locals.lang;
    const t = res.locals.t as (key: string, vars?: object) => string;
    const petition = await petitions.details(slug, lang);
    // A campaign link's ?ref= travels with the form (validated again on submit, like every field).
    const ref = typeof req.query.ref === 'string' && /^[A-Za-z0-9_-]{1,40}$/.test(req.query.ref) ? req.query.ref : undefined;
    const values = form.values ?? { ref };
    const errors = Object.fromEntries(Object.entries(form.errors ?? {}).map(([field, code]) => [field, t(`errors.field.${code}`)]));
    res.render('petition', {
      title: petition.title,
      petition,
      progress: Math.min(100, Math.round((petition.total / Math.max(1, petition.goal)) * 100)),
      topCountries: petition.countries.slice(0, 10),
      countries: countryOptions(lang).map((c) => ({ ...c, selected: c.code === values.country })),
      values,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      notice: form.notice ? t(form.notice) : null,
      csrfToken: csrfToken(req, res),
      started: guard.issue(),
    });
  };
}

export type PetitionPageRenderer = ReturnType<typeof createPetitionPageRenderer>;

export function petitionPageRoutes(petitions: PetitionService, renderPetition: PetitionPageRenderer): Router {
  const router = Router();

  router.get('/', async (_req, res) => {
    res.render('home', { title: (res.locals.t)('home.title'), petitions: await petitions.listOpen() });
  });

  router.get('/petitions/:slug', async (req, res) => {
    await renderPetition(req, res, req.params.slug);
  });

  return router;
}
