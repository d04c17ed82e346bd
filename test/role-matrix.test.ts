import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Role } from '../server/accounts/user-types.js';
import { csrfFrom, givenUser, signedIn } from './helpers/admin.js';
import { givenPetition } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';
import { aWebClient, type WebClient, type WebResponse } from './helpers/web-client.js';

// Every admin route × every role, anonymous included: the server, not the navigation, decides.

type Who = 'anonymous' | Role;
type Kind = 'page' | 'form' | 'api';
interface Route {
  kind: Kind;
  method: 'GET' | 'POST';
  /** Under /admin; `:slug` stands for the test petition. */
  path: string;
  allowed: readonly Role[];
}

const WHO: readonly Who[] = ['anonymous', 'analyst', 'organiser', 'admin'];
const EVERYONE: readonly Role[] = ['analyst', 'organiser', 'admin'];
const MANAGERS: readonly Role[] = ['organiser', 'admin'];
const ADMINS: readonly Role[] = ['admin'];

const page = (path: string, allowed: readonly Role[]): Route => ({ kind: 'page', method: 'GET', path, allowed });
const form = (path: string, allowed: readonly Role[]): Route => ({ kind: 'form', method: 'POST', path, allowed });
const api = (path: string, allowed: readonly Role[]): Route => ({ kind: 'api', method: 'GET', path, allowed });

const ROUTES: readonly Route[] = [
  page('/', EVERYONE),
  page('/password', EVERYONE),
  page('/users', ADMINS),
  page('/audit', ADMINS),
  page('/petitions/new', MANAGERS),
  page('/petitions/:slug', EVERYONE),
  page('/petitions/:slug/edit', MANAGERS),
  page('/petitions/:slug/preview', MANAGERS),
  page('/petitions/:slug/preview/ar', MANAGERS),
  page('/petitions/:slug/export/counts.csv', EVERYONE),
  page('/petitions/:slug/export/counts.json', EVERYONE),
  page('/petitions/:slug/export/signatures.csv', MANAGERS),
  page('/petitions/:slug/exports', MANAGERS),
  page('/petitions/:slug/signatures', MANAGERS),
  page('/petitions/:slug/trending', MANAGERS),
  page('/petitions/:slug/import', MANAGERS),
  page('/petitions/:slug/targets', EVERYONE),
  page('/petitions/:slug/targets/new', MANAGERS),
  // Harmless bodies: only the CSRF token, so each allowed call is refused as invalid, previewed or a no-op.
  form('/petitions', MANAGERS),
  form('/petitions/:slug/edit', MANAGERS),
  form('/petitions/:slug/open', MANAGERS),
  form('/petitions/:slug/close', MANAGERS),
  form('/petitions/:slug/invalidate', MANAGERS),
  form('/petitions/:slug/restore', MANAGERS),
  form('/petitions/:slug/import', MANAGERS),
  form('/petitions/:slug/targets', MANAGERS),
  form('/petitions/:slug/exports', MANAGERS),
  form('/users', ADMINS),
  api('/api/petitions/:slug/dashboard', EVERYONE),
  api('/api/petitions/:slug/signatures', MANAGERS),
  api('/api/petitions/:slug/trending', MANAGERS),
  api('/api/petitions/:slug/packets/:packet', EVERYONE),
];

const a = (who: Who) => ({ anonymous: 'an anonymous visitor', analyst: 'an analyst', organiser: 'an organiser', admin: 'an admin' })[who];

function expectation(route: Route, who: Who): string {
  const allowed = who !== 'anonymous' && route.allowed.includes(who);
  if (route.kind === 'api') return who === 'anonymous' ? '401 JSON' : allowed ? '200 JSON' : '403 JSON';
  if (who === 'anonymous') return '303 to /admin/login';
  if (!allowed) return '403';
  return route.kind === 'page' ? '200' : 'allowed (not 401/403/404/5xx)';
}

function assertCell(route: Route, who: Who, path: string, res: WebResponse) {
  const expected = expectation(route, who);
  const said = `${res.status} ${res.location ?? ''} ${res.html.slice(0, 200)}`;
  if (expected === '303 to /admin/login') {
    assert.equal(res.status, 303, said);
    assert.equal(res.location, `/admin/login?next=${encodeURIComponent(path)}`);
  } else if (expected.endsWith('JSON')) {
    assert.equal(res.status, Number(expected.slice(0, 3)), said);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = JSON.parse(res.html) as { error?: { code?: string } };
    if (res.status === 401) assert.equal(body.error?.code, 'unauthenticated');
    if (res.status === 403) assert.equal(body.error?.code, 'forbidden');
  } else if (expected.startsWith('allowed')) {
    assert.ok(![401, 403, 404].includes(res.status) && res.status < 500, said);
  } else {
    assert.equal(res.status, Number(expected), said);
  }
}

// One stack for the file: each describe builds its own petition and users.
let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

describe('role matrix: every admin route for every role', () => {
  let slug: string;
  let packetId: string;
  const clients = new Map<Who, { client: WebClient; csrf: string }>();

  before(async () => {
    slug = (await givenPetition(stack)).slug;
    const petitionId = (await stack.services.petitionAdmin.list()).find((p) => p.slug === slug)!.id;
    await stack.services.targets.create(petitionId, { name: 'Embassy', recipientName: '', recipientTitle: 'Ambassador', city: 'Paris', country: 'FR', address: '', language: 'fr', plannedAt: '', notes: '' }, 'test');
    packetId = (await stack.services.packets.generate({ slug, target: 'Paris', names: 'full' }, 'test')).id;
    const anonymous = aWebClient(stack.baseUrl);
    clients.set('anonymous', { client: anonymous, csrf: csrfFrom((await anonymous.get('/admin/login')).html) });
    for (const role of ['analyst', 'organiser', 'admin'] as const) {
      const client = await signedIn(stack, role);
      clients.set(role, { client, csrf: csrfFrom((await client.get('/admin')).html) });
    }
  });

  for (const route of ROUTES) {
    for (const who of WHO) {
      test(`when ${a(who)} ${route.method}s /admin${route.path}, then ${expectation(route, who)}`, async () => {
        const { client, csrf } = clients.get(who)!;
        const path = `/admin${route.path.replace(':slug', slug).replace(':packet', packetId)}`;
        const res = route.method === 'GET' ? await client.get(path) : await client.post(path, { _csrf: csrf });
        assertCell(route, who, path, res);
      });
    }
  }
});

describe('every admin form refuses a missing CSRF token', () => {
  let slug: string;
  let admin: WebClient;
  let userId: string;
  before(async () => {
    slug = (await givenPetition(stack)).slug;
    admin = await signedIn(stack, 'admin');
    const { email } = await givenUser(stack, 'organiser');
    userId = (await stack.services.accounts.list()).find((u) => u.email === email)!.id;
  });

  const snapshot = async () => {
    const db = stack.database.connection;
    return {
      petitions: await db.collection('petitions').find().sort({ slug: 1 }).toArray(),
      users: await db.collection('users').find().sort({ email: 1 }).toArray(),
      audit: await db.collection('audit_log').countDocuments(),
    };
  };

  const forms = [...ROUTES.filter((r) => r.kind === 'form').map((r) => r.path), '/logout', '/password', '/users/:id'];
  for (const path of forms) {
    test(`when an admin POSTs /admin${path} without a CSRF token, then 403 and nothing changes`, async () => {
      const before = await snapshot();
      const res = await admin.post(`/admin${path.replace(':slug', slug).replace(':id', userId)}`, { action: 'disable', confirm: 'yes', email: `x-${randomBytes(3).toString('hex')}@example.org`, role: 'admin' });
      assert.equal(res.status, 403, `${res.status} ${res.location ?? ''}`);
      assert.deepEqual(await snapshot(), before);
    });
  }
});

describe('a user who has not yet replaced their one-time password', () => {
  let slug: string;
  let client: WebClient;
  before(async () => {
    slug = (await givenPetition(stack)).slug;
    const email = `one-time-${randomBytes(4).toString('hex')}@example.org`;
    const { oneTimePassword } = await stack.services.accounts.create({ email, role: 'admin' });
    client = aWebClient(stack.baseUrl);
    const login = await client.get('/admin/login');
    const res = await client.post('/admin/login', { _csrf: csrfFrom(login.html), email, password: oneTimePassword! });
    assert.equal(res.location, '/admin/password');
  });

  for (const path of ['/', '/users', '/audit', '/petitions/new', '/petitions/:slug', '/petitions/:slug/export/counts.csv', '/petitions/:slug/export/signatures.csv', '/petitions/:slug/signatures']) {
    test(`when they GET /admin${path}, then 303 to /admin/password`, async () => {
      const res = await client.get(`/admin${path.replace(':slug', slug)}`);
      assert.equal(res.status, 303);
      assert.equal(res.location, '/admin/password');
    });
  }

  test('when they POST a new petition, then 303 to /admin/password and nothing is created', async () => {
    const csrf = csrfFrom((await client.get('/admin/password')).html);
    const newSlug = `blocked-${randomBytes(4).toString('hex')}`;
    const res = await client.post('/admin/petitions', { _csrf: csrf, slug: newSlug, title: 'A title', summary: 'A summary', body: 'A body', target: 'Someone', goal: '100', verification: 'email' });
    assert.equal(res.status, 303);
    assert.equal(res.location, '/admin/password');
    assert.equal(await stack.database.connection.collection('petitions').countDocuments({ slug: newSlug }), 0);
  });

  test('when they call the JSON API, then 403 password_change_required', async () => {
    const res = await client.get(`/admin/api/petitions/${slug}/dashboard`);
    assert.equal(res.status, 403);
    assert.equal((JSON.parse(res.html) as { error: { code: string } }).error.code, 'password_change_required');
  });

  test('when they GET /admin/password, then 200 with the form', async () => {
    const res = await client.get('/admin/password');
    assert.equal(res.status, 200);
    assert.match(res.html, /name="current"/);
  });
});
