import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { Types } from 'mongoose';
import type { Browser, Frame, Page } from 'playwright-core';
import handlebars from 'handlebars';
import sharp from 'sharp';
import { createEmbedCsrf } from '../server/embed/embed-csrf.js';
import { launchBrowser } from './helpers/browser.js';
import { aSigner, givenPetition } from './helpers/builders.js';
import { givenUser, signedIn } from './helpers/admin.js';
import { startStack, type Stack } from './helpers/stack.js';
import { attribute } from './helpers/web-client.js';

let stack: Stack;
let browser: Browser;
let partner: Server;
let partnerOrigin: string;

/** A partner's site on another origin (another port): one page that frames whatever path of ours it is given. */
function startPartner(): Promise<Server> {
  const server = createServer((req, res) => {
    const src = new URL(req.url ?? '/', 'http://partner').searchParams.get('src') ?? '/';
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html lang="en"><title>Partner</title><h1>Partner campaign</h1><iframe id="ours" src="${stack.baseUrl}${src}" width="420" height="900"></iframe>`);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

before(async () => {
  [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
  partner = await startPartner();
  partnerOrigin = `http://127.0.0.1:${(partner.address() as AddressInfo).port}`;
});
after(async () => {
  await browser?.close();
  await new Promise((resolve) => partner?.close(resolve));
  await stack?.stop();
});

const t = (key: string, vars?: Record<string, unknown>) => stack.services.i18n.t('en', key, vars);
/** A sentence as the views write it into HTML. */
const inHtml = (text: string) => handlebars.Utils.escapeExpression(text);
const signatureCount = () => stack.database.connection.collection('signatures').countDocuments({});

interface Visit {
  page: Page;
  /** Every request the page and its frames made, and every Set-Cookie our site answered with. */
  requests: string[];
  cookies: string[];
  refusals: string[];
}

/** Opens the partner's page framing `src`, recording requests, cookies and the browser's refusals to frame. */
async function partnerPage(src: string): Promise<Visit> {
  const context = await browser.newContext();
  const page = await context.newPage();
  const visit: Visit = { page, requests: [], cookies: [], refusals: [] };
  page.on('request', (request) => visit.requests.push(request.url()));
  page.on('response', async (response) => {
    const cookie = await response.headerValue('set-cookie');
    if (cookie && response.url().startsWith(stack.baseUrl)) visit.cookies.push(`${response.url()}: ${cookie}`);
  });
  page.on('console', (message) => {
    if (/frame-ancestors/.test(message.text())) visit.refusals.push(message.text());
  });
  await page.goto(`${partnerOrigin}/?src=${encodeURIComponent(src)}`, { waitUntil: 'load' });
  return visit;
}

/** The framed document, once it has loaded (null when the browser refused to show it). */
async function framed(visit: Visit): Promise<Frame | null> {
  const frame = visit.page.frames().find((f) => f !== visit.page.mainFrame());
  if (!frame) return null;
  await frame.waitForLoadState('load');
  return frame.url().startsWith(stack.baseUrl) ? frame : null;
}

const outsideTheSite = (visit: Visit) => visit.requests.filter((url) => !url.startsWith(`${stack.baseUrl}/`) && !url.startsWith(`${partnerOrigin}/`));

/** The widget's hidden fields, read from a fresh GET as a partner's frame would get them. */
async function widgetForm(slug: string): Promise<Record<string, string>> {
  const html = await (await fetch(`${stack.baseUrl}/embed/petitions/${slug}`)).text();
  const hidden = (name: string) => attribute(new RegExp(`<input\\b[^>]*name="${name}"[^>]*>`).exec(html)?.[0], 'value') ?? '';
  return { _token: hidden('_token'), started: hidden('started'), website: '' };
}

async function post(slug: string, form: Record<string, string>, headers: Record<string, string>) {
  const res = await fetch(`${stack.baseUrl}/embed/petitions/${slug}/sign?lang=en`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form).toString(),
  });
  return { status: res.status, html: await res.text(), location: res.headers.get('location') };
}

describe('the sign widget on a partner site', () => {
  test('when a partner page on another origin frames the widget, then a person corrects a refused submit and signs inside it, and the confirmation email arrives', async () => {
    const { slug } = await givenPetition(stack, { title: 'Free the journalists', goal: 500 });
    const signer = aSigner() as Record<string, string>;
    const visit = await partnerPage(`/embed/petitions/${slug}`);
    const frame = await framed(visit);
    assert.ok(frame, `the widget did not load in the partner's frame; the browser said: ${visit.refusals.join(' | ')}`);
    assert.equal(await frame.textContent('h1'), 'Free the journalists');
    assert.equal(await frame.textContent('#goal-text'), t('petition.progress', { total: '0', goal: '500' }));

    await frame.fill('#firstName', signer.firstName!);
    await Promise.all([frame.waitForNavigation(), frame.click('button[type=submit]')]);
    assert.equal(await frame.evaluate(() => document.activeElement?.id), 'sign-errors', 'the error summary takes focus after a refused submit');
    assert.deepEqual(await frame.$$eval('#sign-errors a', (links) => links.map((a) => a.getAttribute('href'))), ['#lastName', '#email', '#country']);
    assert.equal(await frame.inputValue('#firstName'), signer.firstName, 'what was typed is kept');

    await frame.fill('#lastName', signer.lastName!);
    await frame.fill('#email', signer.email!);
    await frame.selectOption('#country', signer.country!);
    await Promise.all([frame.waitForNavigation(), frame.click('button[type=submit]')]);
    assert.equal(await frame.textContent('#embed-outcome h1'), t('checkEmail.title'));
    await stack.smtp.waitFor(() => stack.smtp.to(signer.email!).length === 1);

    const petitionId = new Types.ObjectId((await stack.services.petitionService.findVisible(slug)).id);
    const stored = await stack.database.connection.collection('signatures').findOne({ petitionId });
    assert.equal(stored?.status, 'pending');
    assert.equal(stored?.ref, 'embed', 'the dashboard counts the widget as a channel');
    assert.deepEqual(visit.cookies, [], 'the embed sets no cookie');
    assert.deepEqual(outsideTheSite(visit), [], 'nothing requested outside the site');
    await visit.page.context().close();
  });

  test('when a partner page frames the petition page or the home page, then the browser refuses both', async () => {
    const { slug } = await givenPetition(stack);
    for (const path of [`/petitions/${slug}`, '/']) {
      const headers = (await fetch(`${stack.baseUrl}${path}`)).headers;
      assert.match(headers.get('content-security-policy') ?? '', /frame-ancestors 'none'/, path);
      const visit = await partnerPage(path);
      assert.equal(await framed(visit), null, `${path} was shown inside the partner's page`);
      assert.match(visit.refusals.join(' | '), /frame-ancestors 'none'/, `${path}: the browser gave no such reason`);
      await visit.page.context().close();
    }
  });

  test("when the petition's allowlist leaves the partner out, then the widget refuses to load there; once it names the partner, it loads", async () => {
    const { slug } = await givenPetition(stack);
    await stack.services.petitionAdmin.setEmbedOrigins(slug, ['https://other-partner.example']);
    let visit = await partnerPage(`/embed/petitions/${slug}`);
    assert.equal(await framed(visit), null, 'framed by a site not on the list');
    await visit.page.context().close();

    await stack.services.petitionAdmin.setEmbedOrigins(slug, ['https://other-partner.example', partnerOrigin]);
    const headers = (await fetch(`${stack.baseUrl}/embed/petitions/${slug}`)).headers;
    assert.match(headers.get('content-security-policy') ?? '', new RegExp(`frame-ancestors 'self' https://other-partner.example ${partnerOrigin}(;|$)`));
    assert.equal(headers.get('x-frame-options'), null);
    visit = await partnerPage(`/embed/petitions/${slug}`);
    assert.ok(await framed(visit), `not framed by a listed site: ${visit.refusals.join(' | ')}`);
    await visit.page.context().close();
  });
});

describe('the widget refuses forged submissions', () => {
  test("when the sign POST carries another site's Origin, then it is a 403 naming the problem and nothing is stored", async () => {
    const { slug } = await givenPetition(stack);
    const form = { ...(await widgetForm(slug)), ...(aSigner() as Record<string, string>) };
    const before = await signatureCount();
    const refused: Record<string, string>[] = [{ origin: partnerOrigin }, { origin: partnerOrigin, 'sec-fetch-site': 'cross-site' }, { origin: 'null' }, {}];
    for (const headers of refused) {
      const res = await post(slug, form, headers);
      assert.equal(res.status, 403, JSON.stringify(headers));
      assert.ok(res.html.includes(inHtml(t('errors.embedCrossSite'))), `${JSON.stringify(headers)}: the page does not name the problem`);
    }
    assert.equal(await signatureCount(), before);
  });

  test('when the token is forged, issued for another petition or expired, then it is a 403 and nothing is stored', async () => {
    const { slug } = await givenPetition(stack);
    const other = await givenPetition(stack);
    const signer = aSigner() as Record<string, string>;
    const genuine = await widgetForm(slug);
    const fiveHoursAgo = createEmbedCsrf(stack.services.secrets.embed, [], () => new Date(Date.now() - 5 * 3600_000));
    const cases = {
      forged: { token: `${genuine._token!.split('.')[0]}.${'A'.repeat(43)}`, code: 'errors.embedTokenInvalid' },
      'for another petition': { token: (await widgetForm(other.slug))._token!, code: 'errors.embedTokenInvalid' },
      expired: { token: fiveHoursAgo.issue(slug), code: 'errors.embedTokenExpired' },
      missing: { token: '', code: 'errors.embedTokenInvalid' },
    };
    const before = await signatureCount();
    const wrong: string[] = [];
    for (const [name, { token, code }] of Object.entries(cases)) {
      const res = await post(slug, { ...genuine, ...signer, _token: token }, { 'sec-fetch-site': 'same-origin', origin: stack.baseUrl });
      if (res.status !== 403 || !res.html.includes(inHtml(t(code)))) wrong.push(`${name}: ${res.status}`);
    }
    assert.deepEqual(wrong, []);
    assert.equal(await signatureCount(), before);

    const res = await post(slug, { ...genuine, ...signer }, { 'sec-fetch-site': 'same-origin' });
    assert.equal(res.status, 303, 'the genuine token signs');
    assert.equal(res.location, `/embed/petitions/${slug}/check-email?lang=en`);
  });
});

describe('the counter badge', () => {
  test('when a partner shows the badge, then it is a valid SVG with the count in the language asked for, public caching, an ETag and CORP cross-origin', async () => {
    const { slug } = await givenPetition(stack, { verification: 'none' });
    const form = await widgetForm(slug);
    for (let i = 0; i < 2; i++) await post(slug, { ...form, ...(aSigner() as Record<string, string>) }, { 'sec-fetch-site': 'same-origin' });

    const res = await fetch(`${stack.baseUrl}/petitions/${slug}/badge.svg?lang=fr`);
    const svg = await res.text();
    assert.equal(res.status, 200);
    assert.deepEqual(
      ['content-type', 'cross-origin-resource-policy', 'cache-control', 'set-cookie'].map((h) => [h, res.headers.get(h)]),
      [['content-type', 'image/svg+xml; charset=utf-8'], ['cross-origin-resource-policy', 'cross-origin'], ['cache-control', 'public, max-age=60'], ['set-cookie', null]],
    );
    assert.match(svg, new RegExp(`>${stack.services.i18n.t('fr', 'home.signatures', { count: 2, formatted: '2' })}</text>`));
    const { format, width, height } = await sharp(Buffer.from(svg)).metadata();
    assert.deepEqual({ format, tall: height }, { format: 'svg', tall: 28 });
    assert.ok((width ?? 0) > 60, `width ${width}`);

    const again = await fetch(`${stack.baseUrl}/petitions/${slug}/badge.svg?lang=fr`, { headers: { 'if-none-match': res.headers.get('etag') ?? '' } });
    assert.equal(again.status, 304);
  });
});

describe('the workspace', () => {
  test('when an organiser opens the embed page, then the snippets show with a live preview of the widget and the badge, and a bad allowlist entry is a 422 naming it', async () => {
    const { slug } = await givenPetition(stack, { title: 'Close the camps' });
    const { email, password } = await givenUser(stack, 'organiser');
    const context = await browser.newContext({ baseURL: stack.baseUrl });
    const page = await context.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto('/admin/login');
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForURL('**/admin'), page.click('button[type=submit]')]);

    await page.goto(`/admin/petitions/${slug}`);
    await Promise.all([page.waitForURL(`**/admin/petitions/${slug}/embed`), page.click('#embed-link')]);
    assert.match(await page.inputValue('#snippet-widget'), new RegExp(`<iframe src="${stack.services.config.BASE_URL}/embed/petitions/${slug}"`));
    assert.match(await page.inputValue('#snippet-badge'), /badge\.svg/);
    assert.match(await page.inputValue('#snippet-curl'), new RegExp(`/api/v1/petitions/${slug}/count$`));
    assert.equal(await page.evaluate(() => (document.getElementById('preview-badge') as HTMLImageElement).naturalHeight), 28);

    await page.fill('#embedOrigins', `${partnerOrigin}\nhttps://ok.example\nhttps://bad.example/path`);
    await Promise.all([page.waitForLoadState('load'), page.click('form[action$="/embed"] button[type=submit]')]);
    assert.equal(await page.textContent('#embedOrigins-error'), t('errors.field.embed_origin_invalid', { entry: 'https://bad.example/path' }));

    await page.fill('#embedOrigins', `${partnerOrigin}\nhttps://ok.example/`);
    await Promise.all([page.waitForURL(`**/admin/petitions/${slug}/embed`), page.click('form[action$="/embed"] button[type=submit]')]);
    assert.deepEqual((await stack.services.petitionAdmin.find(slug)).embedOrigins, [partnerOrigin, 'https://ok.example']);
    // With an allowlist, the workspace's own preview still frames the widget ('self').
    const preview = await (await page.waitForSelector('#preview-widget')).contentFrame();
    await preview?.waitForLoadState('load');
    assert.equal(preview?.url(), `${stack.baseUrl}/embed/petitions/${slug}`);
    assert.equal(await preview.textContent('h1'), 'Close the camps');
    assert.deepEqual(requests.filter((url) => !url.startsWith(`${stack.baseUrl}/`)), []);
    await context.close();
  });

  test('when a bad entry is posted, then the answer is a 422 naming it and nothing changes', async () => {
    const { slug } = await givenPetition(stack);
    const organiser = await signedIn(stack, 'organiser');
    const wrong: string[] = [];
    for (const entry of ['http://partner.example', 'https://partner.example/page', 'partner.example', 'https://user@partner.example', 'javascript:alert(1)']) {
      const res = await organiser.submit(`/admin/petitions/${slug}/embed`, { embedOrigins: `https://fine.example\n${entry}` }, `/admin/petitions/${slug}/embed`);
      const named = res.html.includes(inHtml(t('errors.field.embed_origin_invalid', { entry })));
      if (res.status !== 422 || !named) wrong.push(`${entry}: ${res.status}${named ? '' : ', not named'}`);
    }
    assert.deepEqual(wrong, []);
    assert.deepEqual((await stack.services.petitionAdmin.find(slug)).embedOrigins, []);
  });
});
