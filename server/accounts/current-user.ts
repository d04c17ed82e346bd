import type { Request, RequestHandler } from 'express';
import { AppError } from '../shared/errors.js';
import type { AccountService } from './account-service.js';
import { may, type Permission, type User } from './user-types.js';

declare module 'express-session' {
  interface SessionData {
    userId: string;
    /** When this session logged in: sessions older than a password change or than the absolute lifetime end. */
    authAt: number;
  }
}

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      user?: User;
    }
  }
}

/** JSON admin routes live under /admin/api, whichever router (and so whichever req.path) they are declared on. */
export const isJsonRoute = (req: Request) => `${req.baseUrl}${req.path}`.startsWith('/admin/api/');

/** Loads the signed-in user on every admin request; a disabled user or a stale session is signed out. */
export function loadUser(accounts: AccountService, maxSessionMs: number): RequestHandler {
  return async (req, _res, next) => {
    const { userId, authAt } = req.session ?? {};
    if (!userId || !authAt) return next();
    const user = await accounts.findById(userId);
    const stale = !user || user.disabled || authAt < user.passwordChangedAt.getTime() || Date.now() - authAt > maxSessionMs;
    if (stale) {
      // Regenerate rather than destroy: the old session is deleted, and the routes after this one
      // (sign out, sign in) still find a fresh, empty req.session to work with.
      await new Promise<void>((resolve, reject) => req.session.regenerate((error) => (error ? reject(error as Error) : resolve())));
      return next();
    }
    req.user = user;
    next();
  };
}

/**
 * The gate in front of every admin route: anonymous → login (pages) or 401 (JSON);
 * signed in without the permission (or, given several, without any of them) → 403; a one-time
 * password must be changed first.
 */
export function allow(permission: Permission | readonly Permission[] | 'signedIn'): RequestHandler {
  const anyOf: readonly Permission[] = permission === 'signedIn' ? [] : typeof permission === 'string' ? [permission] : permission;
  return (req, res, next) => {
    const user = req.user;
    if (!user) {
      if (isJsonRoute(req)) throw new AppError(401, 'unauthenticated', 'Sign in first.');
      return res.redirect(303, `/admin/login?next=${encodeURIComponent(req.originalUrl)}`);
    }
    if (user.mustChangePassword && permission !== 'signedIn') {
      if (isJsonRoute(req)) throw new AppError(403, 'password_change_required', 'Choose a new password first.');
      return res.redirect(303, '/admin/password');
    }
    if (permission !== 'signedIn' && !anyOf.some((p) => may(user.role, p))) throw forbidden();
    next();
  };
}

const forbidden = () => new AppError(403, 'forbidden', 'Your role does not allow this.');

/** allow's refusal, for a permission a route knows only once it has read the request (which export, say). */
export function requirePermission(user: User, permission: Permission): void {
  if (!may(user.role, permission)) throw forbidden();
}
