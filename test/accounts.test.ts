import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { csrfFrom, givenUser, postWithHeaders, signedIn } from './helpers/admin.js';
import { npmRun } from './helpers/cli.js';
import { startStack, type Stack } from './helpers/stack.js';
import { aWebClient, fieldValue, tagWithId, textOf, type WebClient, type WebResponse } from './helpers/web-client.js';

const FERRETDB_BIN = path.resolve('.tools/ferretdb/ferretdb');
const SESSION_COOKIE = 'hv_admin';

// ---- helpers -------------------------------------------------------------------------------

/** `npm run admin:create -- ...args`; never throws, so a test can look at a failing run. */
async function adminCreate(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await npmRun('admin:create', args, {
      env: { ...process.env, FERRETDB_BIN, MONGODB_URI: '', LOG_LEVEL: 'warn', NODE_ENV: 'development', ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The command line pointed at the stack's own database, so the app sees what it creates. */
function stackDatabaseEnv(stack: Stack): Record<string, string> {
  const uri = new URL(stack.database.uri);
  uri.pathname = `/${stack.database.connection.name}`;
  return { MONGODB_URI: uri.toString(), DATA_DIR: stack.dataDir };
}

const uniqueEmail = (label: string) => `${label}-${randomBytes(4).toString('hex')}@example.org`;
const strongPassword = () => `pw-${randomBytes(12).toString('hex')}`;

/** Opens the login page (for its CSRF token) and signs in; the client keeps whatever cookies it had. */
async function logIn(client: WebClient, email: string, password: string): Promise<WebResponse> {
  const page = await client.get('/admin/login');
  return client.post('/admin/login', { _csrf: csrfFrom(page.html), email, password });
}

const setCookieFor = (res: { headers: Headers }, name: string) => res.headers.getSetCookie().find((line) => line.startsWith(`${name}=`));
const attributesOf = (line: string) => line.split(';').slice(1).map((a) => a.trim().toLowerCase());

/** express-session's cookie value is `s:<id>.<signature>`, URL-encoded. */
function sessionIdOf(cookieValue: string | undefined): string {
  const value = decodeURIComponent(cookieValue ?? '');
  assert.ok(value.startsWith('s:'), `not a signed session cookie: ${value}`);
  return value.slice(2, value.lastIndexOf('.'));
}

const storedSessionId = (sid: string) => createHash('sha256').update(sid).digest('base64url');
const sessions = (stack: Stack) => stack.database.connection.collection<{ _id: string; data: string; expiresAt: Date }>('sessions');

const loginFailure = (html: string) => textOf(html, /<p class="error-summary"[^>]*>/);
const oneTimePasswordIn = (html: string) => textOf(html, /<code id="one-time-password">/);

/** The row of the users table for this email. */
const userRow = (html: string, email: string) => [...html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1] ?? '').find((row) => row.includes(`<td>${email}</td>`));

async function userId(stack: Stack, email: string): Promise<string> {
  const user = (await stack.services.accounts.list()).find((u) => u.email === email);
  assert.ok(user, `no user ${email}`);
  return user.id;
}

// ---- tests ---------------------------------------------------------------------------------

describe('accounts and sessions', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(async () => {
    await stack.stop();
  });

  describe('npm run admin:create', () => {
    test('when an admin is created without --password, then a one-time password is printed; it leads to /admin/password, every other page redirects there until it is changed, and then only the new password works', async () => {
      const email = uniqueEmail('first-admin');
      const created = await adminCreate(['--email', email, '--role', 'admin'], stackDatabaseEnv(stack));
      assert.equal(created.code, 0, created.stderr);
      assert.match(created.stdout, new RegExp(`Created admin ${email}`));
      const oneTime = /One-time password[^:]*: (\S+)/.exec(created.stdout)?.[1];
      assert.ok(oneTime, `no one-time password in: ${created.stdout}`);

      const browser = aWebClient(stack.baseUrl);
      const login = await logIn(browser, email, oneTime);
      assert.equal(login.status, 303);
      assert.equal(login.location, '/admin/password');
      for (const page of ['/admin', '/admin/users', '/admin/audit']) {
        const res = await browser.get(page);
        assert.equal(res.status, 303, page);
        assert.equal(res.location, '/admin/password', page);
      }
      const form = await browser.get('/admin/password');
      assert.equal(form.status, 200);
      assert.match(form.html, /You signed in with a one-time password/);

      const newPassword = strongPassword();
      const changed = await browser.post('/admin/password', { _csrf: csrfFrom(form.html), current: oneTime, password: newPassword, confirm: newPassword });
      assert.equal(changed.status, 303);
      assert.equal(changed.location, '/admin?changed=1');
      assert.equal((await browser.get('/admin/users')).status, 200, 'after the change, pages open');

      assert.equal((await logIn(aWebClient(stack.baseUrl), email, oneTime)).status, 401, 'the one-time password no longer works');
      const again = await logIn(aWebClient(stack.baseUrl), email, newPassword);
      assert.equal(again.status, 303);
      assert.equal(again.location, '/admin');
    });

    test('when a user is created with --password, then no one-time password is printed and they sign in straight to the workspace', async () => {
      const email = uniqueEmail('analyst');
      const password = strongPassword();
      const created = await adminCreate(['--email', email, '--role', 'analyst', '--password', password], stackDatabaseEnv(stack));
      assert.equal(created.code, 0, created.stderr);
      assert.doesNotMatch(created.stdout, /One-time password/);

      const browser = aWebClient(stack.baseUrl);
      const login = await logIn(browser, email, password);
      assert.equal(login.status, 303);
      assert.equal(login.location, '/admin');
      assert.equal((await browser.get('/admin')).status, 200);
    });

    test('when the role is unknown, the email is taken or the password is too short, then it says so clearly, exits non-zero and creates nothing', async () => {
      const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-accounts-cli-'));
      try {
        const env = { DATA_DIR: dataDir };
        const email = uniqueEmail('someone');
        const badRole = await adminCreate(['--email', email, '--role', 'superuser'], env);
        assert.notEqual(badRole.code, 0);
        assert.match(badRole.stderr, /role/i);
        assert.match(badRole.stderr, /admin, organiser or analyst/);

        const first = await adminCreate(['--email', email, '--role', 'organiser'], env);
        assert.equal(first.code, 0, first.stderr);
        const duplicate = await adminCreate(['--email', email.toUpperCase(), '--role', 'organiser'], env);
        assert.notEqual(duplicate.code, 0);
        assert.match(duplicate.stderr, /already an account with this email address/);
        assert.doesNotMatch(duplicate.stdout, /One-time password/);

        const short = await adminCreate(['--email', uniqueEmail('short'), '--role', 'admin', '--password', 'short'], env);
        assert.notEqual(short.code, 0);
        assert.match(short.stderr, /12 characters/);
      } finally {
        rmSync(dataDir, { recursive: true, force: true });
      }
    });
  });

  describe('signing in', () => {
    test('when the password is wrong or the email unknown, then both get 401 with the same message and no session cookie', async () => {
      const { email } = await givenUser(stack, 'organiser');
      const wrongPassword = await logIn(aWebClient(stack.baseUrl), email, 'not-the-password');
      const unknownEmail = await logIn(aWebClient(stack.baseUrl), uniqueEmail('nobody'), 'not-the-password');

      assert.equal(wrongPassword.status, 401);
      assert.equal(unknownEmail.status, 401);
      assert.ok(loginFailure(wrongPassword.html), 'a failure message is shown');
      assert.equal(loginFailure(wrongPassword.html), loginFailure(unknownEmail.html));
      assert.equal(setCookieFor(wrongPassword, SESSION_COOKIE), undefined);
      assert.equal(setCookieFor(unknownEmail, SESSION_COOKIE), undefined);
    });

    test('when the password is right, then 303 and a session cookie that is HttpOnly, SameSite=Lax, for path / and not Secure outside production', async () => {
      const { email, password } = await givenUser(stack, 'organiser');
      const res = await logIn(aWebClient(stack.baseUrl), email, password);

      assert.equal(res.status, 303);
      assert.equal(res.location, '/admin');
      const cookie = setCookieFor(res, SESSION_COOKIE);
      assert.ok(cookie, 'a session cookie is set');
      const attributes = attributesOf(cookie);
      assert.ok(attributes.includes('httponly'), cookie);
      assert.ok(attributes.includes('samesite=lax'), cookie);
      assert.ok(attributes.includes('path=/'), cookie);
      assert.ok(!attributes.includes('secure'), cookie);
    });

    test('when a session id is planted in the browser before login, then login issues a new id and the planted one is worthless', async () => {
      const attacker = await givenUser(stack, 'analyst');
      const victim = await givenUser(stack, 'admin');
      const browser = aWebClient(stack.baseUrl);
      assert.equal((await logIn(browser, attacker.email, attacker.password)).status, 303);
      const planted = browser.cookies.get(SESSION_COOKIE);
      assert.ok(planted);

      // Signed in, the login page redirects; the form posts all the same, with the CSRF token of any page.
      const token = csrfFrom((await browser.get('/admin')).html);
      const login = await browser.post('/admin/login', { _csrf: token, email: victim.email, password: victim.password });
      assert.equal(login.status, 303);
      const issued = browser.cookies.get(SESSION_COOKIE);
      assert.ok(setCookieFor(login, SESSION_COOKIE), 'login sets the cookie afresh');
      assert.notEqual(sessionIdOf(issued), sessionIdOf(planted));

      const withPlanted = aWebClient(stack.baseUrl);
      withPlanted.cookies.set(SESSION_COOKIE, planted);
      const res = await withPlanted.get('/admin/users');
      assert.equal(res.status, 303, 'the planted id does not reach the victim’s session');
      assert.match(res.location ?? '', /^\/admin\/login/);
      assert.equal((await browser.get('/admin/users')).status, 200, 'the new id is the victim’s admin session');
    });

    test('when a session is stored, then only a hash of its id is in the database, expiring after the idle timeout', async () => {
      const client = await signedIn(stack, 'analyst');
      const sid = sessionIdOf(client.cookies.get(SESSION_COOKIE));

      assert.equal(await sessions(stack).findOne({ _id: sid }), null);
      const stored = await sessions(stack).findOne({ _id: storedSessionId(sid) });
      assert.ok(stored, 'the session is stored under the hash of its id');
      const minutesLeft = (stored.expiresAt.getTime() - Date.now()) / 60_000;
      assert.ok(minutesLeft > 29 && minutesLeft <= 30, `expires in ${minutesLeft} minutes, not the 30 minute idle timeout`);
    });
  });

  describe('CSRF', () => {
    test('when the login form is posted without a CSRF token or with another browser’s, then 403 and no session', async () => {
      const { email, password } = await givenUser(stack, 'admin');
      const browser = aWebClient(stack.baseUrl);
      await browser.get('/admin/login');
      const without = await browser.post('/admin/login', { email, password });
      assert.equal(without.status, 403);
      assert.equal(setCookieFor(without, SESSION_COOKIE), undefined);

      const other = aWebClient(stack.baseUrl);
      const othersToken = csrfFrom((await other.get('/admin/login')).html);
      const foreign = await browser.post('/admin/login', { _csrf: othersToken, email, password });
      assert.equal(foreign.status, 403);
      assert.equal(setCookieFor(foreign, SESSION_COOKIE), undefined);
    });

    test('when a signed-in user posts the password form without a CSRF token, then 403 and the password is unchanged', async () => {
      const { email, password } = await givenUser(stack, 'organiser');
      const browser = aWebClient(stack.baseUrl);
      await logIn(browser, email, password);
      const res = await browser.post('/admin/password', { current: password, password: 'a-brand-new-password', confirm: 'a-brand-new-password' });
      assert.equal(res.status, 403);
      assert.equal((await logIn(aWebClient(stack.baseUrl), email, password)).status, 303, 'the old password still works');
    });

    test('when sign-out is posted without a CSRF token, then 403 and the session lives on', async () => {
      const client = await signedIn(stack, 'analyst');
      assert.equal((await client.post('/admin/logout', {})).status, 403);
      assert.equal((await client.get('/admin')).status, 200);
    });

    test('when an admin posts the user forms without a CSRF token, then 403 and no user is created, disabled or changed', async () => {
      const admin = await signedIn(stack, 'admin');
      const target = await givenUser(stack, 'organiser');
      const id = await userId(stack, target.email);
      const newEmail = uniqueEmail('not-created');

      assert.equal((await admin.post('/admin/users', { email: newEmail, role: 'admin' })).status, 403);
      assert.equal((await admin.post(`/admin/users/${id}`, { action: 'disable' })).status, 403);
      assert.equal((await admin.post(`/admin/users/${id}`, { action: 'role', role: 'admin' })).status, 403);
      assert.equal((await admin.post(`/admin/users/${id}`, { action: 'reset' })).status, 403);

      const users = await stack.services.accounts.list();
      assert.ok(!users.some((u) => u.email === newEmail));
      const after = users.find((u) => u.id === id);
      assert.equal(after?.disabled, false);
      assert.equal(after?.role, 'organiser');
      assert.equal((await logIn(aWebClient(stack.baseUrl), target.email, target.password)).location, '/admin', 'the password was not reset');
    });
  });

  describe('sessions', () => {
    test('when the stored session has passed its idle expiry, then the next admin request goes to the login page', async () => {
      const client = await signedIn(stack, 'organiser');
      assert.equal((await client.get('/admin')).status, 200);
      const sid = sessionIdOf(client.cookies.get(SESSION_COOKIE));
      const expired = await sessions(stack).updateOne({ _id: storedSessionId(sid) }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
      assert.equal(expired.matchedCount, 1);

      const res = await client.get('/admin');
      assert.equal(res.status, 303);
      assert.equal(res.location, '/admin/login?next=%2Fadmin');
    });

    test('when a user signs out, then the session is gone from the database and the old cookie no longer works', async () => {
      const client = await signedIn(stack, 'organiser');
      const cookie = client.cookies.get(SESSION_COOKIE);
      const sid = sessionIdOf(cookie);
      const out = await client.submit('/admin/logout', {});
      assert.equal(out.status, 303);
      assert.equal(out.location, '/admin/login');
      assert.equal(await sessions(stack).findOne({ _id: storedSessionId(sid) }), null);

      const replay = aWebClient(stack.baseUrl);
      replay.cookies.set(SESSION_COOKIE, cookie!);
      const res = await replay.get('/admin');
      assert.equal(res.status, 303);
      assert.match(res.location ?? '', /^\/admin\/login/);
    });

    test('when an admin disables a signed-in user, then their session ends on their next request and they cannot sign in until enabled again', async () => {
      const admin = await signedIn(stack, 'admin');
      const organiserUser = await givenUser(stack, 'organiser');
      const organiser = aWebClient(stack.baseUrl);
      await logIn(organiser, organiserUser.email, organiserUser.password);
      assert.equal((await organiser.get('/admin')).status, 200);
      const id = await userId(stack, organiserUser.email);

      assert.equal((await admin.submit(`/admin/users/${id}`, { action: 'disable' }, '/admin/users')).status, 200);
      const res = await organiser.get('/admin');
      assert.equal(res.status, 303);
      assert.match(res.location ?? '', /^\/admin\/login/);
      assert.equal((await logIn(aWebClient(stack.baseUrl), organiserUser.email, organiserUser.password)).status, 401);

      assert.equal((await admin.submit(`/admin/users/${id}`, { action: 'enable' }, '/admin/users')).status, 200);
      assert.equal((await logIn(aWebClient(stack.baseUrl), organiserUser.email, organiserUser.password)).status, 303);
    });

    test('when a user changes their password, then their other sessions end and this one goes on', async () => {
      const { email, password } = await givenUser(stack, 'analyst');
      const laptop = aWebClient(stack.baseUrl);
      const phone = aWebClient(stack.baseUrl);
      await logIn(laptop, email, password);
      await logIn(phone, email, password);
      assert.equal((await phone.get('/admin')).status, 200);

      const form = await laptop.get('/admin/password');
      const newPassword = strongPassword();
      const changed = await laptop.post('/admin/password', { _csrf: csrfFrom(form.html), current: password, password: newPassword, confirm: newPassword });
      assert.equal(changed.status, 303);

      assert.equal((await laptop.get('/admin')).status, 200, 'the session that changed the password goes on');
      const other = await phone.get('/admin');
      assert.equal(other.status, 303);
      assert.match(other.location ?? '', /^\/admin\/login/);
    });

    test('when a session has ended elsewhere (password reset by an admin), then pressing sign out on a page loaded before lands on the login page', async () => {
      const admin = await signedIn(stack, 'admin');
      const organiser = await signedIn(stack, 'organiser');
      const page = await organiser.get('/admin');
      await admin.submit(`/admin/users/${await userId(stack, organiser.email)}`, { action: 'reset' }, '/admin/users');

      const out = await organiser.post('/admin/logout', { _csrf: csrfFrom(page.html) });
      assert.equal(out.status, 303);
      assert.equal(out.location, '/admin/login');
    });

    test('when a login form opened earlier is posted with a cookie whose session has since ended, then the sign-in works with a new session', async () => {
      const { email, password } = await givenUser(stack, 'analyst');
      const browser = aWebClient(stack.baseUrl);
      const form = await browser.get('/admin/login');
      await logIn(browser, email, password);
      const ended = browser.cookies.get(SESSION_COOKIE);
      await stack.services.accounts.resetPassword(await userId(stack, email));
      const fresh = await givenUser(stack, 'analyst');

      const res = await browser.post('/admin/login', { _csrf: csrfFrom(form.html), email: fresh.email, password: fresh.password });
      assert.equal(res.status, 303);
      assert.notEqual(browser.cookies.get(SESSION_COOKIE), ended);
      assert.equal((await browser.get('/admin')).status, 200);
    });

    test('when an anonymous visitor opens a page, then after signing in they land on it, and a next pointing elsewhere lands on /admin', async () => {
      const { email, password } = await givenUser(stack, 'admin');
      const browser = aWebClient(stack.baseUrl);
      const gate = await browser.get('/admin/users?sort=email');
      assert.equal(gate.status, 303);
      const login = await browser.get(gate.location!);
      const res = await browser.post('/admin/login', { _csrf: csrfFrom(login.html), next: fieldValue(login.html, 'next') ?? '', email, password });
      assert.equal(res.location, '/admin/users?sort=email');

      for (const next of ['https://evil.example/admin', '//evil.example/admin', '/administrator', '/']) {
        const other = aWebClient(stack.baseUrl);
        const form = await other.get('/admin/login');
        const signedInRes = await other.post('/admin/login', { _csrf: csrfFrom(form.html), next, email, password });
        assert.equal(signedInRes.location, '/admin', next);
      }
    });

    test('when the password form has a wrong current password, a short or mismatched new one, then 422 with the reason and the password is unchanged', async () => {
      const { email, password } = await givenUser(stack, 'organiser');
      const browser = aWebClient(stack.baseUrl);
      await logIn(browser, email, password);
      const token = csrfFrom((await browser.get('/admin/password')).html);
      const attempts: [Record<string, string>, RegExp][] = [
        [{ current: 'wrong-current-password', password: 'long-enough-password', confirm: 'long-enough-password' }, /not your current password/],
        [{ current: password, password: 'short', confirm: 'short' }, /at least 12 characters/],
        [{ current: password, password: 'long-enough-password', confirm: 'long-enough-passw0rd' }, /two new passwords differ/],
        [{ current: password, password, confirm: password }, /different from the current one/],
      ];
      for (const [form, reason] of attempts) {
        const res = await browser.post('/admin/password', { _csrf: token, ...form });
        assert.equal(res.status, 422, JSON.stringify(form));
        assert.match(res.html, reason);
      }
      assert.equal((await logIn(aWebClient(stack.baseUrl), email, password)).status, 303);
    });
  });

  describe('users admin', () => {
    test('when an admin creates an organiser, then the one-time password is shown once and works for a first sign-in that asks for a new password', async () => {
      const admin = await signedIn(stack, 'admin');
      const email = uniqueEmail('new-organiser');
      const created = await admin.submit('/admin/users', { email, role: 'organiser' }, '/admin/users');
      assert.equal(created.status, 201);
      const oneTime = oneTimePasswordIn(created.html);
      assert.match(oneTime ?? '', /^[A-Za-z0-9]{20}$/);
      assert.match(userRow(created.html, email) ?? '', /Organiser/);

      const later = await admin.get('/admin/users');
      assert.equal(tagWithId(later.html, 'one-time-password'), undefined);
      assert.ok(!later.html.includes(oneTime!), 'the one-time password is not shown again');

      const login = await logIn(aWebClient(stack.baseUrl), email, oneTime!);
      assert.equal(login.status, 303);
      assert.equal(login.location, '/admin/password');
    });

    test('when an admin creates a user with a bad email (or one holding a control character), an unknown role or a taken email, then it says why and creates nothing', async () => {
      const admin = await signedIn(stack, 'admin');
      const before = (await stack.services.accounts.list()).length;
      const badEmail = await admin.submit('/admin/users', { email: 'not-an-email', role: 'organiser' }, '/admin/users');
      assert.equal(badEmail.status, 422);
      assert.match(badEmail.html, /Enter an email address/);
      // A control character (here NEL, which \s does not catch) would start a line of its own in a plain-text email.
      const controlled = await admin.submit('/admin/users', { email: `${uniqueEmail('x')}\u0085Bcc`, role: 'organiser' }, '/admin/users');
      assert.equal(controlled.status, 422);
      assert.match(controlled.html, /Enter an email address/);
      const badRole = await admin.submit('/admin/users', { email: uniqueEmail('x'), role: 'superuser' }, '/admin/users');
      assert.equal(badRole.status, 422);
      assert.match(badRole.html, /Choose admin, organiser or analyst/);
      const taken = await admin.submit('/admin/users', { email: admin.email, role: 'organiser' }, '/admin/users');
      assert.equal(taken.status, 409);
      assert.match(taken.html, /already an account with this email address/);
      assert.equal((await stack.services.accounts.list()).length, before);
    });

    test('when an admin changes a role, then the user’s next request has the new role’s rights', async () => {
      const admin = await signedIn(stack, 'admin');
      const analyst = await signedIn(stack, 'analyst');
      assert.equal((await analyst.get('/admin/users')).status, 403);
      const id = await userId(stack, analyst.email);

      const res = await admin.submit(`/admin/users/${id}`, { action: 'role', role: 'admin' }, '/admin/users');
      assert.equal(res.status, 200);
      assert.match(userRow(res.html, analyst.email) ?? '', /<td>Admin<\/td>/);
      assert.equal((await analyst.get('/admin/users')).status, 200);

      const unknown = await admin.submit(`/admin/users/${id}`, { action: 'role', role: 'superuser' }, '/admin/users');
      assert.equal(unknown.status, 422);
      assert.equal((await stack.services.accounts.findById(id))?.role, 'admin');
    });

    test('when an admin resets a password, then a new one-time password is shown, the old password fails and the user’s sessions end', async () => {
      const admin = await signedIn(stack, 'admin');
      const { email, password } = await givenUser(stack, 'organiser');
      const organiser = aWebClient(stack.baseUrl);
      await logIn(organiser, email, password);
      const id = await userId(stack, email);

      const res = await admin.submit(`/admin/users/${id}`, { action: 'reset' }, '/admin/users');
      assert.equal(res.status, 200);
      const oneTime = oneTimePasswordIn(res.html);
      assert.match(oneTime ?? '', /^[A-Za-z0-9]{20}$/);

      assert.match((await organiser.get('/admin')).location ?? '', /^\/admin\/login/);
      assert.equal((await logIn(aWebClient(stack.baseUrl), email, password)).status, 401);
      const fresh = await logIn(aWebClient(stack.baseUrl), email, oneTime!);
      assert.equal(fresh.status, 303);
      assert.equal(fresh.location, '/admin/password');
    });

    test('when an admin tries to disable themselves or change their own role, then 409 and they stay an active admin', async () => {
      const admin = await signedIn(stack, 'admin');
      const id = await userId(stack, admin.email);
      const disable = await admin.submit(`/admin/users/${id}`, { action: 'disable' }, '/admin/users');
      assert.equal(disable.status, 409);
      assert.match(disable.html, /cannot change your own role or disable yourself/);
      assert.equal((await admin.submit(`/admin/users/${id}`, { action: 'role', role: 'analyst' }, '/admin/users')).status, 409);
      const me = await stack.services.accounts.findById(id);
      assert.equal(me?.disabled, false);
      assert.equal(me?.role, 'admin');
      assert.equal((await admin.get('/admin/users')).status, 200);
    });

    test('when an organiser or an analyst opens the users page or posts to it, then 403 and nothing is created or changed', async () => {
      const target = await givenUser(stack, 'analyst');
      const id = await userId(stack, target.email);
      for (const role of ['organiser', 'analyst'] as const) {
        const client = await signedIn(stack, role);
        const email = uniqueEmail(`by-${role}`);
        assert.equal((await client.get('/admin/users')).status, 403, role);
        assert.equal((await client.submit('/admin/users', { email, role: 'admin' })).status, 403, role);
        assert.equal((await client.submit(`/admin/users/${id}`, { action: 'role', role: 'admin' })).status, 403, role);
        assert.equal((await client.submit(`/admin/users/${id}`, { action: 'disable' })).status, 403, role);
        assert.ok(!(await stack.services.accounts.list()).some((u) => u.email === email), role);
      }
      const untouched = await stack.services.accounts.findById(id);
      assert.equal(untouched?.role, 'analyst');
      assert.equal(untouched?.disabled, false);
    });
  });

  describe('audit page', () => {
    test('when an admin signs in and changes users, then the audit page lists the login and each change, newest first', async () => {
      const admin = await signedIn(stack, 'admin');
      const email = uniqueEmail('audited');
      await admin.submit('/admin/users', { email, role: 'analyst' }, '/admin/users');
      const id = await userId(stack, email);
      await admin.submit(`/admin/users/${id}`, { action: 'role', role: 'organiser' }, '/admin/users');
      await admin.submit(`/admin/users/${id}`, { action: 'disable' }, '/admin/users');

      const page = await admin.get('/admin/audit');
      assert.equal(page.status, 200);
      const rows = [...page.html.matchAll(/<tr><td><time[^>]*>[^<]*<\/time><\/td><td>([^<]*)<\/td><td>([^<]*)<\/td>/g)]
        .filter((m) => m[1] === admin.email)
        .map((m) => m[2]);
      assert.deepEqual(rows.slice(0, 4), ['user.disable', 'user.role', 'user.create', 'login']);

      const logins = await admin.get('/admin/audit?action=login');
      assert.match(logins.html, new RegExp(`<td>${admin.email}</td><td>login</td>`));
      assert.doesNotMatch(logins.html, /<td>user\.create<\/td>/);
    });

    test('when an organiser or an analyst opens the audit page, then 403', async () => {
      for (const role of ['organiser', 'analyst'] as const) {
        const client = await signedIn(stack, role);
        assert.equal((await client.get('/admin/audit')).status, 403, role);
      }
    });
  });
});

describe('sessions in production', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({ NODE_ENV: 'production', DATA_KEY: randomBytes(32).toString('base64'), BASE_URL: 'https://petitions.example.org', PRIVACY_CONTACT: 'mailto:privacy@example.org' });
  });
  after(async () => {
    await stack.stop();
  });

  test('when someone signs in over HTTPS (behind the proxy), then the session cookie is __Host-hv_admin, Secure, HttpOnly, SameSite=Lax, path / and has no domain', async () => {
    const { email, password } = await givenUser(stack, 'organiser');
    const browser = aWebClient(stack.baseUrl);
    const page = await browser.get('/admin/login');
    const res = await postWithHeaders(browser, stack.baseUrl, '/admin/login', { _csrf: csrfFrom(page.html), email, password }, { 'x-forwarded-proto': 'https' });

    assert.equal(res.status, 303);
    assert.equal(setCookieFor(res, SESSION_COOKIE), undefined);
    const cookie = setCookieFor(res, '__Host-hv_admin');
    assert.ok(cookie, `no __Host-hv_admin cookie in ${res.headers.getSetCookie().join(' | ')}`);
    const attributes = attributesOf(cookie);
    for (const expected of ['secure', 'httponly', 'samesite=lax', 'path=/']) assert.ok(attributes.includes(expected), `${expected} missing: ${cookie}`);
    assert.ok(!attributes.some((a) => a.startsWith('domain=')), cookie);
  });
});
