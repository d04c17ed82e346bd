import { Router, type Request, type RequestHandler } from 'express';
import { allow } from '../accounts/current-user.js';
import { AppError, ValidationError } from '../shared/errors.js';
import { parseFilters, redactFilters } from './moderation-filters.js';
import type { ModerationService } from './moderation-service.js';
import type { TrendingReport } from './moderation-trending.js';

type Params = Request<{ slug: string }>;

// allow() tells JSON routes by req.path, which inside the /api sub-router no longer starts with /api/:
// without this an anonymous caller would get a redirect to the login page instead of a 401.
const signedIn: RequestHandler = (req, _res, next) => {
  if (!req.user) throw new AppError(401, 'unauthenticated', 'Sign in first.');
  next();
};

/** The search and trending figures as JSON, under /admin/api. */
export function moderationApiRoutes({ moderation, trending }: { moderation: ModerationService; trending: TrendingReport }): Router {
  const router = Router();

  router.get('/petitions/:slug/signatures', signedIn, allow('viewSignatures'), async (req: Params, res) => {
    const parsed = parseFilters(req.query, ['lang']);
    if (!parsed.ok) throw new ValidationError(parsed.fields);
    const { petition, count, rows } = await moderation.search(req.params.slug, parsed.filters);
    res.json({ petition: petition.slug, filters: redactFilters(parsed.filters), count, rows });
  });

  router.get('/petitions/:slug/trending', signedIn, allow('moderate'), async (req: Params, res) => {
    const petition = await moderation.petitionOf(req.params.slug);
    res.json({ petition: petition.slug, ...(await trending(petition)) });
  });

  return router;
}
