import { Router } from 'express';
import type { PetitionService } from './petition-service.js';

export function petitionApiRoutes(petitions: PetitionService): Router {
  const router = Router();

  router.get('/petitions', async (_req, res) => {
    res.json({ data: await petitions.listOpen() });
  });

  router.get('/petitions/:slug', async (req, res) => {
    const { slug, title, summary, target, goal, status, verification, total, countries } = await petitions.details(req.params.slug, res.locals.lang);
    res.json({ slug, title, summary, target, goal, status, verification, total, countries });
  });

  router.get('/petitions/:slug/count', async (req, res) => {
    const { total, updatedAt } = await petitions.count(req.params.slug);
    res.set('Cache-Control', 'public, max-age=5');
    res.json({ total, updatedAt: updatedAt?.toISOString() ?? null });
  });

  return router;
}
