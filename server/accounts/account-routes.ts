import { promisify } from 'node:util';
import { Router, type RequestHandler } from 'express';
import type { AuditLog } from '../audit/audit-repository.js';
import { AppError } from '../shared/errors.js';
import type { AccountService } from './account-service.js';
import { allow } from './current-user.js';
import { fieldMessages } from '../web/field-errors.js';

interface Deps {
  accounts: AccountService;
  audit: AuditLog;
  /** Run before the credentials are checked: the limit per client address across accounts. */
  loginLimits: RequestHandler[];
  protect: RequestHandler;
}

const str = (v: unknown) => (typeof v === 'string' ? v : '');
// Only somewhere inside the admin area: never an open redirect.
const safeNext = (v: unknown) => (typeof v === 'string' && /^\/admin(?:[/?#]|$)/.test(v) && !v.startsWith('//') ? v : '/admin');

const regenerate = (req: Parameters<RequestHandler>[0]) => promisify(req.session.regenerate.bind(req.session))();
const save = (req: Parameters<RequestHandler>[0]) => promisify(req.session.save.bind(req.session))();

export function accountRoutes({ accounts, audit, loginLimits, protect }: Deps) {
  const router = Router();

  router.get('/login', (req, res) => {
    if (req.user) return res.redirect(303, safeNext(req.query.next));
    res.render('admin/login', { layout: 'admin', title: res.locals.t('account.login.title'), next: safeNext(req.query.next) });
  });

  router.post('/login', ...loginLimits, protect, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const user = await accounts.signIn(str(body.email), str(body.password), req.ip ?? '');
    if (!user) {
      res.status(401);
      return res.render('admin/login', { layout: 'admin', title: res.locals.t('account.login.title'), next: safeNext(body.next), email: str(body.email).slice(0, 254), failed: true });
    }
    // A new session id at login: a session id planted before login is worthless after it.
    await regenerate(req);
    req.session.userId = user.id;
    req.session.authAt = Date.now();
    await save(req);
    await audit.record({ actor: user.email, action: 'login', petition: null, details: {}, rows: null });
    res.redirect(303, user.mustChangePassword ? '/admin/password' : safeNext(body.next));
  });

  router.post('/logout', protect, async (req, res) => {
    await new Promise<void>((resolve) => req.session.destroy(() => resolve()));
    res.redirect(303, '/admin/login');
  });

  const renderPassword = (res: Parameters<RequestHandler>[1], extra: object = {}) =>
    res.render('admin/password', { layout: 'admin', title: res.locals.t('account.password.title'), ...extra });

  router.get('/password', allow('signedIn'), (req, res) => renderPassword(res, { mustChange: req.user?.mustChangePassword }));

  router.post('/password', allow('signedIn'), protect, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = str(body.password);
    try {
      if (next !== str(body.confirm)) throw new AppError(422, 'validation_failed', 'The two new passwords differ.', { confirm: 'password_mismatch' });
      await accounts.changePassword(req.user!.id, str(body.current), next);
    } catch (error) {
      if (!(error instanceof AppError) || !error.fields) throw error;
      res.status(error.status);
      const errors = fieldMessages(error.fields, res.locals.t);
      return renderPassword(res, { errors, mustChange: req.user?.mustChangePassword });
    }
    // The change ended every session of this user, this one too: sign in again with the new password.
    await regenerate(req);
    req.session.userId = req.user!.id;
    req.session.authAt = Date.now();
    await save(req);
    await audit.record({ actor: req.user!.email, action: 'password.change', petition: null, details: {}, rows: null });
    res.redirect(303, '/admin?changed=1');
  });

  return router;
}
