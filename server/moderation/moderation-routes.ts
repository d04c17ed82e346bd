import { Router, type Request, type RequestHandler, type Response } from 'express';
import { allow } from '../accounts/current-user.js';
import { may } from '../accounts/user-types.js';
import { countryName } from '../countries/countries.js';
import type { Petition } from '../petitions/petition-types.js';
import { AppError } from '../shared/errors.js';
import { FILTER_NAMES, filterEntries, filterQueryString, hasFilters, parseFilters, type SignatureFilters } from './moderation-filters.js';
import { RUN_ID, type ModerationService, type SearchRow } from './moderation-service.js';
import type { TrendingReport } from './moderation-trending.js';
import { fieldMessages } from '../web/field-errors.js';

interface Deps {
  moderation: ModerationService;
  trending: TrendingReport;
  protect: RequestHandler;
}

type Params = Request<{ slug: string }>;
const FORM_KEYS = ['_csrf', 'confirm', 'expected'];
const raw = (source: unknown) =>
  Object.fromEntries(FILTER_NAMES.map((name) => [name, typeof (source as Record<string, unknown>)?.[name] === 'string' ? (source as Record<string, string>)[name] : '']));
const fieldErrors = (res: Response, fields: Record<string, string>) => fieldMessages(fields, res.locals.t);
const rowView = (lang: string) => (row: SearchRow) => ({ ...row, createdAt: row.createdAt.toISOString().slice(0, 16).replace('T', ' '), countryName: countryName(row.country, lang) });

/** Fraud tools under /admin: search a petition's signatures, invalidate by condition (preview first), restore, trending. */
export function moderationRoutes({ moderation, trending, protect }: Deps): Router {
  const router = Router();

  async function renderSearch(req: Request, res: Response, petition: Petition, filters: SignatureFilters | null, errors: Record<string, string> = {}) {
    const { t, lang } = res.locals;
    const result = filters ? await moderation.search(petition.slug, filters, { actor: req.user!.email }) : null;
    const canModerate = !!req.user && may(req.user.role, 'moderate');
    res.render('admin/moderation-search', {
      layout: 'admin',
      title: t('moderation.search.title', { title: petition.title }),
      petition,
      given: filters ?? raw(req.method === 'GET' ? req.query : req.body),
      errors: fieldErrors(res, errors),
      result: result && { count: result.count, shown: result.rows.length, rows: result.rows.map(rowView(lang)) },
      hidden: filters ? filterEntries(filters) : [],
      canInvalidate: canModerate && !!filters && hasFilters(filters),
      runs: canModerate ? (await moderation.recentRuns(petition.id)).map((r) => ({ ...r, at: r.at.toISOString(), filters: JSON.stringify(r.filters), restoredAt: r.restoredAt?.toISOString() })) : [],
    });
  }

  router.get('/petitions/:slug/signatures', allow('viewSignatures'), async (req: Params, res) => {
    const petition = await moderation.petitionOf(req.params.slug);
    const parsed = parseFilters(req.query, ['lang']);
    if (!parsed.ok) return renderSearch(req, res.status(422), petition, null, parsed.fields);
    await renderSearch(req, res, petition, parsed.filters);
  });

  function renderPreview(res: Response, petition: Petition, filters: SignatureFilters, count: number, changedFrom?: number) {
    res.render('admin/moderation-preview', {
      layout: 'admin',
      title: res.locals.t('moderation.preview.title', { title: petition.title }),
      petition,
      count,
      changedFrom,
      hidden: filterEntries(filters),
      searchLink: `/admin/petitions/${encodeURIComponent(petition.slug)}/signatures?${filterQueryString(filters)}`,
    });
  }

  router.post('/petitions/:slug/invalidate', allow('moderate'), protect, async (req: Params, res) => {
    const petition = await moderation.petitionOf(req.params.slug);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const parsed = parseFilters(body, FORM_KEYS);
    if (!parsed.ok) return renderSearch(req, res.status(422), petition, null, parsed.fields);
    const filters = parsed.filters;
    if (!hasFilters(filters)) return renderSearch(req, res.status(422), petition, filters, { filters: 'filters_required' });
    if (body.confirm !== 'yes') return renderPreview(res, petition, filters, (await moderation.preview(petition.slug, filters, { actor: req.user!.email })).count);

    const expected = typeof body.expected === 'string' && /^\d{1,9}$/.test(body.expected) ? Number(body.expected) : null;
    if (expected === null) throw new AppError(422, 'validation_failed', 'The expected count is missing.', { expected: 'expected_invalid' });
    const outcome = await moderation.invalidate(petition.slug, filters, { expected, actor: req.user!.email });
    if (outcome.status === 'changed') return renderPreview(res.status(409), petition, filters, outcome.count, expected);
    renderDone(res, petition, 'invalidated', outcome.invalidated);
  });

  function renderDone(res: Response, petition: Petition, kind: 'invalidated' | 'restored', count: number) {
    res.render('admin/moderation-done', {
      layout: 'admin',
      title: res.locals.t('moderation.done.title', { title: petition.title }),
      petition,
      kind,
      count,
      searchLink: `/admin/petitions/${encodeURIComponent(petition.slug)}/signatures`,
    });
  }

  router.post('/petitions/:slug/restore', allow('moderate'), protect, async (req: Params, res) => {
    const petition = await moderation.petitionOf(req.params.slug);
    const runId = (req.body as Record<string, unknown> | undefined)?.runId;
    if (typeof runId !== 'string' || !RUN_ID.test(runId)) throw new AppError(422, 'validation_failed', 'This is not a run id.', { runId: 'run_id_invalid' });
    const { restored } = await moderation.restore(petition.slug, runId, { actor: req.user!.email });
    renderDone(res, petition, 'restored', restored);
  });

  router.get('/petitions/:slug/trending', allow('moderate'), async (req: Params, res) => {
    const petition = await moderation.petitionOf(req.params.slug);
    const report = await trending(petition, { actor: req.user!.email });
    const search = `/admin/petitions/${encodeURIComponent(petition.slug)}/signatures?`;
    res.render('admin/moderation-trending', {
      layout: 'admin',
      title: res.locals.t('moderation.trending.title', { title: petition.title }),
      petition,
      ...report,
      domains: report.domains.map((d) => ({ ...d, link: d.domain ? search + new URLSearchParams({ domain: d.domain }).toString() : null })),
      ips: report.ips.map((ip) => ({ ...ip, link: search + new URLSearchParams({ ipHash: ip.ipHash }).toString() })),
    });
  });

  return router;
}
