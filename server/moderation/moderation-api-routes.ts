import { Router, type Request } from 'express';
import { allow } from '../accounts/current-user.js';
import { ValidationError } from '../shared/errors.js';
import { parseFilters, redactFilters } from './moderation-filters.js';
import type { ModerationService } from './moderation-service.js';
import type { TrendingReport } from './moderation-trending.js';

type Params = Request<{ slug: string }>;

/** The search and trending figures as JSON, under /admin/api. */
export function moderationApiRoutes({ moderation, trending }: { moderation: ModerationService; trending: TrendingReport }): Router {
  const router = Router();

  router.get('/petitions/:slug/signatures', allow('viewSignatures'), async (req: Params, res) => {
    const parsed = parseFilters(req.query, ['lang']);
    if (!parsed.ok) throw new ValidationError(parsed.fields);
    const { petition, count, rows } = await moderation.search(req.params.slug, parsed.filters, { actor: req.user!.email });
    res.json({ petition: petition.slug, filters: redactFilters(parsed.filters), count, rows });
  });

  router.get('/petitions/:slug/trending', allow('moderate'), async (req: Params, res) => {
    const petition = await moderation.petitionOf(req.params.slug);
    res.json({ petition: petition.slug, ...(await trending(petition, { actor: req.user!.email })) });
  });

  return router;
}
