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
