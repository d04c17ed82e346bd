import { intlLocale } from '../i18n/languages.js';
import { Router, type Request, type RequestHandler } from 'express';
import { allow, requirePermission } from '../accounts/current-user.js';
import { may, type User } from '../accounts/user-types.js';
import { languageOption } from '../i18n/language-option.js';
import { AppError, NotFoundError } from '../shared/errors.js';
import { jobProgressView } from '../web/job-progress-view.js';
import { CONTENT_TYPES, type ExportFormat } from './export-format.js';
import { exportStatus, type ExportJobs } from './export-job-service.js';
import type { ExportJob } from './export-job-repository.js';
import { EXPORT_KIND_NAMES, EXPORT_KINDS, isExportKind, type ExportKind } from './export-kinds.js';

type Params = Request<{ slug: string; id: string; format: string }>;
type Translate = (key: string, vars?: Record<string, unknown>) => string;

const FORMATS: readonly ExportFormat[] = ['csv', 'json'];
const isFormat = (value: unknown): value is ExportFormat => FORMATS.includes(value as ExportFormat);

const pageUrl = (slug: string) => `/admin/petitions/${encodeURIComponent(slug)}/exports`;
const kindsFor = (user: User) => EXPORT_KIND_NAMES.filter((kind) => may(user.role, EXPORT_KINDS[kind].permission));

/** The kind and format a form asks for: absent, a signatures CSV (the form before there were kinds); unknown, a 400 naming the field. */
function exportChoice(body: { kind?: unknown; format?: unknown } | undefined): { kind: ExportKind; format: ExportFormat } {
  const { kind = 'signatures', format = 'csv' } = body ?? {};
  if (!isExportKind(kind)) throw new AppError(400, 'export_kind_invalid', `kind must be one of ${EXPORT_KIND_NAMES.join(', ')}.`, undefined, { vars: { choices: EXPORT_KIND_NAMES.join(', ') } });
  if (!isFormat(format)) throw new AppError(400, 'export_format_invalid', `format must be one of ${FORMATS.join(', ')}.`, undefined, { vars: { choices: FORMATS.join(', ') } });
  return { kind, format };
}

function jobRow(job: ExportJob, t: Translate, lang: string) {
  const download = `${pageUrl(job.slug)}/${job.id}.${job.format}`;
  return {
    ...job,
    what: `${t(`exports.kinds.${job.kind}`)} (${job.format.toUpperCase()})`,
    created: new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(job.createdAt),
    ready: job.status === 'ready',
    download,
    progress: job.status === 'building' ? jobProgressView(exportStatus(job), { id: job.id, heading: t('exports.statuses.building'), url: `/admin/api/petitions/${encodeURIComponent(job.slug)}/exports/${job.id}`, download, keys: 'exports.progress' }, t, lang) : null,
  };
}

/** `actor`'s own export of this petition, of a kind their role still allows. */
async function ownJob(jobs: ExportJobs, req: Params): Promise<ExportJob> {
  const job = await jobs.find(req.params.slug, req.params.id, req.user!.email);
  requirePermission(req.user!, EXPORT_KINDS[job.kind].permission);
  return job;
}

/** Anyone who may have at least one kind of export. */
const mayExport = allow(EXPORT_KIND_NAMES.map((kind) => EXPORT_KINDS[kind].permission));

/** Exports prepared in the background, one kind at a time: the page, starting one, and its one download. */
export function exportJobRoutes({ jobs, protect }: { jobs: ExportJobs; protect: RequestHandler }): Router {
  const router = Router();

  router.get('/petitions/:slug/exports', mayExport, async (req: Params, res) => {
    const { lang, t } = res.locals as { lang: string; t: Translate };
    const kinds = kindsFor(req.user!);
    const { petition, jobs: list } = await jobs.list(req.params.slug, req.user!.email);
    const rows = list.filter((job) => kinds.includes(job.kind)).map((job) => jobRow(job, t, lang));
    res.render('admin/exports', { layout: 'admin', title: t('exports.title'), petition, kinds, jobs: rows, building: rows.some((r) => r.progress) });
  });

  router.post('/petitions/:slug/exports', mayExport, protect, async (req: Params, res) => {
    const { kind, format } = exportChoice(req.body as { kind?: unknown; format?: unknown } | undefined);
    requirePermission(req.user!, EXPORT_KINDS[kind].permission);
    const job = await jobs.start(req.params.slug, req.user!.email, { kind, format, lang: languageOption(req.query.lang, res.locals.lang) });
    res.redirect(303, `${pageUrl(job.slug)}#export-${job.id}`);
  });

  router.get('/petitions/:slug/exports/:id.:format', mayExport, async (req: Params, res) => {
    const job = await ownJob(jobs, req);
    if (job.format !== req.params.format) throw new NotFoundError('There is no such export.');
    await jobs.download(job, res, () => {
      res.attachment(job.filename);
      res.set({ 'Content-Type': CONTENT_TYPES[job.format], 'Content-Length': String(job.bytes), 'Cache-Control': 'no-store' });
    });
  });

  return router;
}

/** JSON for the export page's progress bar. */
export function exportJobApiRoutes({ jobs }: { jobs: ExportJobs }): Router {
  const router = Router();
  router.get('/petitions/:slug/exports/:id', mayExport, async (req: Params, res) => {
    res.set('Cache-Control', 'no-store').json(exportStatus(await ownJob(jobs, req)));
  });
  return router;
}
