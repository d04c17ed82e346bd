import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { csrfFrom, signedIn } from './helpers/admin.js';
import { aSigner, givenPetition } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';
import { aWebClient } from './helpers/web-client.js';

const directive = (csp: string | null, name: string) =>
  (csp ?? '')
    .split(';')
    .map((d) => d.trim())
    .find((d) => d.startsWith(`${name} `));

describe('each surface with its own headers, CSRF and CORS', () => {
  let stack: Stack;
  let slug: string;
  before(async () => {
    stack = await startStack();
    slug = (await givenPetition(stack)).slug;
  });
  after(async () => {
    await stack.stop();
  });

  test('when another site reads a count from a browser, then the API allows it for any origin without credentials', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/petitions/${slug}/count`, { headers: { origin: 'https://partner.example' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('access-control-allow-credentials'), null);
    assert.equal(res.headers.get('set-cookie'), null);
  });

  test('when another site asks to post a signature from a browser, then the preflight allows reads only and the post gets no CORS answer', async () => {
    const preflight = await fetch(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, {
      method: 'OPTIONS',
      headers: { origin: 'https://partner.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    assert.equal(preflight.headers.get('access-control-allow-methods'), 'GET,HEAD');
    const post = await fetch(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, {
      method: 'POST',
      headers: { origin: 'https://partner.example', 'content-type': 'application/json' },
      body: JSON.stringify(aSigner()),
    });
    assert.equal(post.headers.get('access-control-allow-origin'), null);
  });

  test('when an API answer is read, then its policy lets nothing in it load or be framed', async () => {
    const res = await fetch(`${stack.baseUrl}/api/v1/petitions/${slug}`);
    const csp = res.headers.get('content-security-policy');
    assert.equal(directive(csp, 'default-src'), "default-src 'none'");
    assert.equal(directive(csp, 'frame-ancestors'), "frame-ancestors 'none'");
  });

  test('when a public page is read, then no site may frame it, it frames nothing, and it is not for other origins', async () => {
    for (const path of ['/', `/petitions/${slug}`, '/verify']) {
      const res = await fetch(`${stack.baseUrl}${path}`);
      const csp = res.headers.get('content-security-policy');
      assert.deepEqual(
        [directive(csp, 'frame-ancestors'), directive(csp, 'frame-src'), res.headers.get('x-frame-options'), res.headers.get('access-control-allow-origin')],
        ["frame-ancestors 'none'", "frame-src 'none'", 'SAMEORIGIN', null],
        path,
      );
    }
  });

  test("when the workspace is read, then it may frame only our own pages (the embed's preview) and no site may frame it", async () => {
    const res = await fetch(`${stack.baseUrl}/admin/login`);
    const csp = res.headers.get('content-security-policy');
    assert.equal(directive(csp, 'frame-src'), "frame-src 'self'");
    assert.equal(directive(csp, 'frame-ancestors'), "frame-ancestors 'none'");
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
  });

  test("when a public page's CSRF token is posted to the workspace, then it is refused: each surface has its own", async () => {
    const browser = aWebClient(stack.baseUrl);
    const publicToken = csrfFrom((await browser.get('/verify')).html);
    assert.ok(publicToken, 'the public page carries a token');
    const refused = await browser.post('/admin/login', { _csrf: publicToken, email: 'someone@example.org', password: 'whatever it is' });
    assert.equal(refused.status, 403);

    const organiser = await signedIn(stack, 'organiser');
    const cookie = [...organiser.cookies.keys()].filter((name) => name.includes('csrf'));
    assert.deepEqual(cookie, ['hv.ws-csrf'], 'the workspace sets its own CSRF cookie');
  });
});
