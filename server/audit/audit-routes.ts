import { Router } from 'express';
import { allow } from '../accounts/current-user.js';
import type { AuditLog } from './audit-repository.js';
import { describeDetails } from './audit-view.js';

export function auditRoutes(audit: AuditLog) {
  const router = Router();
  router.get('/audit', allow('viewAudit'), async (req, res) => {
    const action = typeof req.query.action === 'string' && /^[a-z.-]{1,40}$/.test(req.query.action) ? req.query.action : undefined;
    const entries = await audit.latest(500, { action });
    const none = res.locals.t('audit.none');
    res.render('admin/audit', {
      layout: 'admin',
      title: res.locals.t('audit.title'),
      action,
      entries: entries.map((e) => ({ ...e, at: e.at.toISOString(), details: describeDetails(e.details, none) })),
    });
  });
  return router;
}
