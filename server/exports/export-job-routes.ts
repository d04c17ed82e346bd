import { intlLocale } from '../i18n/languages.js';
import { Router, type Request, type RequestHandler } from 'express';
import { allow } from '../accounts/current-user.js';
import { languageOption } from '../i18n/language-option.js';
import { jobProgressView } from '../web/job-progress-view.js';
import { exportStatus, type ExportJobs } from './export-job-service.js';
import type { ExportJob } from './export-job-repository.js';

type Params = Request<{ slug: string; id: string }>;
type Translate = (key: string, vars?: Record<string, unknown>) => string;

const pageUrl = (slug: string) => `/admin/petitions/${encodeURIComponent(slug)}/exports`;

function jobRow(job: ExportJob, t: Translate, lang: string) {
  const download = `${pageUrl(job.slug)}/${job.id}.csv`;
  return {
    ...job,
    created: new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(job.createdAt),
    ready: job.status === 'ready',
    download,
    progress: job.status === 'building' ? jobProgressView(exportStatus(job), { id: job.id, heading: t('exports.statuses.building'), url: `/admin/api/petitions/${encodeURIComponent(job.slug)}/exports/${job.id}`, download, keys: 'exports.progress' }, t, lang) : null,
  };
}

/** Signatures exports prepared in the background: the page, starting one, and its one download. */
export function exportJobRoutes({ jobs, protect }: { jobs: ExportJobs; protect: RequestHandler }): Router {
  const router = Router();
  const may = allow('exportSignatures');

  router.get('/petitions/:slug/exports', may, async (req: Params, res) => {
    const { lang, t } = res.locals as { lang: string; t: Translate };
    const { petition, jobs: list } = await jobs.list(req.params.slug, req.user!.email);
    const rows = list.map((job) => jobRow(job, t, lang));
    res.render('admin/exports', { layout: 'admin', title: t('exports.title'), petition, jobs: rows, building: rows.some((r) => r.progress) });
  });

  router.post('/petitions/:slug/exports', may, protect, async (req: Params, res) => {
    const job = await jobs.start(req.params.slug, req.user!.email, languageOption(req.query.lang, res.locals.lang));
    res.redirect(303, `${pageUrl(job.slug)}#export-${job.id}`);
  });

  router.get('/petitions/:slug/exports/:id.csv', may, async (req: Params, res) => {
    const job = await jobs.find(req.params.slug, req.params.id, req.user!.email);
    await jobs.download(job, res, () => {
      res.attachment(job.filename);
      res.set({ 'Content-Type': 'text/csv; charset=utf-8', 'Content-Length': String(job.bytes), 'Cache-Control': 'no-store' });
    });
  });

  return router;
}

/** JSON for the export page's progress bar. */
export function exportJobApiRoutes({ jobs }: { jobs: ExportJobs }): Router {
  const router = Router();
  router.get('/petitions/:slug/exports/:id', allow('exportSignatures'), async (req: Params, res) => {
    const job = await jobs.find(req.params.slug, req.params.id, req.user!.email);
    res.set('Cache-Control', 'no-store').json(exportStatus(job));
  });
  return router;
}
