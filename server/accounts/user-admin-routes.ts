import { Router, type RequestHandler } from 'express';
import type { AuditLog } from '../audit/audit-repository.js';
import { AppError, NotFoundError } from '../shared/errors.js';
import type { AccountService } from './account-service.js';
import { allow } from './current-user.js';
import { ROLES } from './user-types.js';
import { fieldMessages } from '../web/field-errors.js';

const str = (v: unknown) => (typeof v === 'string' ? v : '');

/** Admins manage accounts: create (with a one-time password), change role, disable, reset password. */
export function userAdminRoutes({ accounts, audit, protect }: { accounts: AccountService; audit: AuditLog; protect: RequestHandler }) {
  const router = Router();
  const gate = allow('manageUsers');

  const render = async (res: Parameters<RequestHandler>[1], extra: object = {}) =>
    res.render('admin/users', { layout: 'admin', title: res.locals.t('users.title'), users: await accounts.list(), roles: ROLES, ...extra });

  router.get('/users', gate, async (_req, res) => render(res));

  router.post('/users', gate, protect, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    try {
      const { user, oneTimePassword } = await accounts.create({ email: str(body.email), role: str(body.role) });
      await audit.record({ actor: req.user!.email, action: 'user.create', petition: null, details: { user: user.email, role: user.role }, rows: null });
      await render(res.status(201), { created: { email: user.email, oneTimePassword } });
    } catch (error) {
      if (!(error instanceof AppError) || !error.fields) throw error;
      const errors = fieldMessages(error.fields, res.locals.t);
      await render(res.status(error.status), { errors, email: str(body.email).slice(0, 254), role: str(body.role) });
    }
  });

  router.post('/users/:id', gate, protect, async (req, res) => {
    const target = await accounts.findById(String(req.params.id));
    if (!target) throw new NotFoundError('There is no such user.');
    const body = (req.body ?? {}) as Record<string, unknown>;
    const action = str(body.action);
    if (target.id === req.user!.id && action !== 'reset') throw new AppError(409, 'own_account', 'You cannot change your own role or disable yourself.');
    let extra: object = {};
    if (action === 'role') await accounts.setRole(target.id, str(body.role));
    else if (action === 'disable' || action === 'enable') await accounts.setDisabled(target.id, action === 'disable');
    else if (action === 'reset') extra = { created: { email: target.email, oneTimePassword: await accounts.resetPassword(target.id) } };
    else throw new AppError(400, 'bad_request', 'Unknown action.');
    await audit.record({ actor: req.user!.email, action: `user.${action}`, petition: null, details: { user: target.email, ...(action === 'role' ? { role: str(body.role) } : {}) }, rows: null });
    await render(res, extra);
  });

  return router;
}
