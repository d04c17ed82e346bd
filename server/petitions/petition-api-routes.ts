import { Router } from 'express';
import type { PetitionService } from './petition-service.js';

export function petitionApiRoutes(petitions: PetitionService): Router {
  const router = Router();

  // Texts in the language asked for (?lang= or Accept-Language) when the petition has it; `language` says which it is.
  router.get('/petitions', async (_req, res) => {
    const list = await petitions.listOpen(res.locals.lang);
    res.json({ data: list.map(({ slug, title, summary, language, languages, status, goal, total }) => ({ slug, title, summary, language, languages, status, goal, total })) });
  });

  router.get('/petitions/:slug', async (req, res) => {
    const { slug, title, summary, target, language, languages, goal, status, verification, total, countries } = await petitions.details(req.params.slug, res.locals.lang);
    res.json({ slug, title, summary, target, language, languages, goal, status, verification, total, countries });
  });

  router.get('/petitions/:slug/count', async (req, res) => {
    const { total, updatedAt } = await petitions.count(req.params.slug);
    res.set('Cache-Control', 'public, max-age=5');
    res.json({ total, updatedAt: updatedAt?.toISOString() ?? null });
  });

  return router;
}
