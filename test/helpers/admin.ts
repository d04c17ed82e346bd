import { randomBytes } from 'node:crypto';
import type { Role } from '../../server/accounts/user-types.js';
import type { Stack } from './stack.js';
import { aWebClient, attribute, type WebClient } from './web-client.js';

/** A user of the workspace, created through the account service with a known password. */
export async function givenUser(stack: Stack, role: Role): Promise<{ email: string; password: string }> {
  const email = `${role}-${randomBytes(4).toString('hex')}@example.org`;
  const password = `pw-${randomBytes(12).toString('hex')}`;
  await stack.services.accounts.create({ email, role, password });
  return { email, password };
}

/** The CSRF token of the first form on a page. */
export const csrfFrom = (html: string): string => attribute(/<input\b[^>]*name="_csrf"[^>]*>/.exec(html)?.[0], 'value') ?? '';

export interface AdminClient extends WebClient {
  email: string;
  /** Posts a form with the CSRF token taken from `formPage` (default: the admin home). */
  submit(path: string, form: Record<string, string>, formPage?: string): Promise<Awaited<ReturnType<WebClient['post']>>>;
}

/** A browser signed in to /admin with a fresh user of this role. */
export async function signedIn(stack: Stack, role: Role): Promise<AdminClient> {
  const { email, password } = await givenUser(stack, role);
  const client = aWebClient(stack.baseUrl);
  const login = await client.get('/admin/login');
  const res = await client.post('/admin/login', { _csrf: csrfFrom(login.html), email, password });
  if (res.status !== 303) throw new Error(`login failed with ${res.status}`);
  return {
    ...client,
    email,
    async submit(path, form, formPage = '/admin') {
      const page = await client.get(formPage);
      return client.post(path, { _csrf: csrfFrom(page.html), ...form });
    },
  };
}

/** Posts a form with extra request headers (a proxy's X-Forwarded-*), keeping the client's cookies. */
export async function postWithHeaders(client: WebClient, baseUrl: string, urlPath: string, form: Record<string, string>, headers: Record<string, string>) {
  const started = performance.now();
  const res = await fetch(new URL(urlPath, baseUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      ...headers,
      'content-type': 'application/x-www-form-urlencoded',
      cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
    },
    body: new URLSearchParams(form).toString(),
  });
  for (const line of res.headers.getSetCookie()) {
    const [pair = ''] = line.split(';');
    client.cookies.set(pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim());
  }
  return { status: res.status, headers: res.headers, html: await res.text(), ms: performance.now() - started };
}

/** Signs in as if from `ip`: the app trusts X-Forwarded-For from loopback, as it does behind a local proxy. */
export async function logInFrom(stack: Stack, ip: string, email: string, password: string) {
  const client = aWebClient(stack.baseUrl);
  const page = await client.get('/admin/login');
  return postWithHeaders(client, stack.baseUrl, '/admin/login', { _csrf: csrfFrom(page.html), email, password }, { 'x-forwarded-for': ip });
}

/** The workspace's petition form as an organiser fills it in: an English petition, open to anyone, no dates. */
export const aPetitionForm = (overrides: Record<string, string> = {}) => ({
  slug: `petition-${randomBytes(4).toString('hex')}`,
  title: 'Free the journalists',
  summary: 'Reporters are held for their work.',
  body: 'The first paragraph.\n\nThe second paragraph.',
  target: 'The ministry of justice',
  goal: '1000',
  verification: 'none',
  opensAt: '',
  closesAt: '',
  ...overrides,
});
