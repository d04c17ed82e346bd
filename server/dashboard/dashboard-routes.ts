import { Router, type Request, type RequestHandler } from 'express';
import { allow } from '../accounts/current-user.js';
import { may } from '../accounts/user-types.js';
import type { AuditLog } from '../audit/audit-repository.js';
import { languageOption } from '../i18n/language-option.js';
import type { CountExport, CountFormat } from './count-export.js';
import { parseSort } from './country-table.js';
import type { DashboardService } from './dashboard-service.js';
import { dashboardView } from './dashboard-view.js';
import type { SignaturePurge } from '../signatures/signature-purge.js';
import { retentionLines } from './retention-lines.js';

const viewer = (req: Request) => ({ live: !!req.user && may(req.user.role, 'seeLiveCounts') });

interface Deps {
  dashboard: DashboardService;
  /** The petition's retention rule and the date it gives (signatures/signature-purge.ts). */
  retention: Pick<SignaturePurge, 'schedule'>;
  countExport: CountExport;
  audit: AuditLog;
}

/** The dashboard of one petition and its counts export, under /admin. */
export function dashboardRoutes({ dashboard, retention, countExport, audit }: Deps): Router {
  const router = Router();

  router.get('/petitions/:slug', allow('viewDashboards'), async (req, res) => {
    const sort = parseSort(req.query);
    const { t, lang } = res.locals;
    const data = await dashboard.load(String(req.params.slug), lang, viewer(req));
    const schedule = await retention.schedule(data.petition.slug);
    const view = { ...dashboardView(data, sort, t, lang), retention: schedule && retentionLines(schedule, t, lang) };
    res.render('admin/dashboard', { layout: 'admin', title: t('dashboard.title', { title: data.petition.title }), sort, ...view });
  });

  const exportCounts =
    (format: CountFormat): RequestHandler =>
    async (req, res) => {
      const slug = String(req.params.slug);
      // Country names in `?lang=`, else the workspace's language.
      const lang = languageOption(req.query.lang, res.locals.lang);
      const file = await countExport.build(slug, format, viewer(req), lang);
      await audit.record({ actor: req.user?.email ?? 'unknown', action: 'export', petition: slug, details: { what: 'counts', format }, rows: file.rows });
      res.attachment(file.filename).type(file.contentType).send(file.body);
    };
  router.get('/petitions/:slug/export/counts.csv', allow('exportCounts'), exportCounts('csv'));
  router.get('/petitions/:slug/export/counts.json', allow('exportCounts'), exportCounts('json'));
  return router;
}

/** The same figures as JSON, under /admin/api. */
export function dashboardApiRoutes({ dashboard }: { dashboard: DashboardService }): Router {
  const router = Router();
  router.get('/petitions/:slug/dashboard', allow('viewDashboards'), async (req, res) => {
    res.json(await dashboard.load(String(req.params.slug), res.locals.lang, viewer(req)));
  });
  return router;
}
