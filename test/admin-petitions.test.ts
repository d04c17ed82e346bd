import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { externalReferrer } from '../server/petitions/petition-page-routes.js';
import { aPetitionForm, signedIn, type AdminClient } from './helpers/admin.js';
import { aSigner, getJson, postJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';
import { aWebClient, fieldValue, tagWithId, textOf } from './helpers/web-client.js';

let stack: Stack;
let organiser: AdminClient;
before(async () => {
  stack = await startStack();
  organiser = await signedIn(stack, 'organiser');
});
after(async () => {
  await stack.stop();
});

const aSlug = () => `petition-${randomBytes(4).toString('hex')}`;
const aForm = aPetitionForm;

async function created(overrides: Record<string, string> = {}) {
  const form = aForm(overrides);
  const res = await organiser.submit('/admin/petitions', form, '/admin/petitions/new');
  assert.equal(res.status, 303, res.html);
  return form;
}
const edit = (slug: string, form: Record<string, string>) => organiser.submit(`/admin/petitions/${slug}/edit`, form, `/admin/petitions/${slug}/edit`);
const act = (slug: string, action: 'open' | 'close') => organiser.submit(`/admin/petitions/${slug}/${action}`, {}, `/admin/petitions/${slug}/edit`);
const stored = (slug: string) => stack.services.petitionAdmin.find(slug).catch(() => null);
const publicPage = (slug: string, headers: Record<string, string> = {}) => fetch(`${stack.baseUrl}/petitions/${slug}`, { headers }).then(async (r) => ({ status: r.status, html: await r.text() }));
const signUrl = (slug: string) => `${stack.baseUrl}/api/v1/petitions/${slug}/signatures`;
const lastAudit = async (action: string) => (await stack.services.audit.latest(1, { action }))[0];
const bodyOf = (html: string) => /<div class="body">([\s\S]*?)<\/div>/.exec(html)?.[1] ?? '';

describe('creating a petition', () => {
  test('when an organiser creates one with valid data, then it is a draft: hidden publicly, visible in preview, audited', async () => {
    const form = await created({ opensAt: '2030-01-01T09:00', closesAt: '2030-06-30T18:30' });

    const petition = await stored(form.slug);
    assert.equal(petition?.status, 'draft');
    assert.equal(petition?.goal, 1000);
    assert.equal(petition?.opensAt?.toISOString(), '2030-01-01T09:00:00.000Z', 'datetime-local is read as UTC');
    assert.equal((await publicPage(form.slug)).status, 404);
    assert.equal((await getJson(`${stack.baseUrl}/api/v1/petitions/${form.slug}`)).status, 404);
    assert.equal((await postJson(signUrl(form.slug), aSigner())).status, 404);

    const preview = await organiser.get(`/admin/petitions/${form.slug}/preview`);
    assert.equal(preview.status, 200);
    const banner = /<p[^>]*id="preview-banner"[^>]*>([\s\S]*?)<\/p>/.exec(preview.html)?.[1]?.replace(/<[^>]+>/g, '');
    assert.match(banner ?? '', /Preview\..*Status: Draft/);
    assert.match(preview.html, /<h1>Free the journalists<\/h1>/);
    assert.doesNotMatch(preview.html, /<form[^>]*action="\/petitions\//, 'no working sign form');
    assert.match(tagWithId(preview.html, 'email') ?? '', /id="email"/, 'the form is shown, inert');

    const entry = await lastAudit('petition.create');
    assert.equal(entry?.petition, form.slug);
    assert.equal(entry?.actor, organiser.email);
  });

  const invalid: [string, Record<string, string>, string, RegExp][] = [
    ['a slug with capitals and spaces', { slug: 'Bad Slug' }, 'slug', /lowercase letters/],
    ['a two-letter slug', { slug: 'ab' }, 'slug', /lowercase letters/],
    ['the reserved slug "new"', { slug: 'new' }, 'slug', /reserved/],
    ['a title of 201 characters', { title: 'x'.repeat(201) }, 'title', /too long/],
    ['a summary of 501 characters', { summary: 'x'.repeat(501) }, 'summary', /too long/],
    ['an empty body', { body: '   ' }, 'body', /required/],
    ['an empty target', { target: '' }, 'target', /required/],
    ['a goal of zero', { goal: '0' }, 'goal', /whole number/],
    ['a fractional goal', { goal: '10.5' }, 'goal', /whole number/],
    ['an unknown verification', { verification: 'sms' }, 'verification', /email confirmation or none/],
    ['an opening date that does not exist', { opensAt: '2030-02-30T10:00' }, 'opensAt', /date and time/],
    ['a closing time before the opening time', { opensAt: '2030-05-02T10:00', closesAt: '2030-05-01T10:00' }, 'closesAt', /after the opening/],
    ['a title carrying a CRLF and a mail header', { title: 'Free them\r\nBcc: x@evil.example' }, 'title', /single line/],
    ['a target carrying a C1 control character (NEL)', { target: 'The\u0085ministry' }, 'target', /single line/],
    ['a body carrying a NUL', { body: 'First.\u0000Second.' }, 'body', /control characters/],
  ];
  for (const [what, change, field, message] of invalid) {
    test(`when the form has ${what}, then it comes back with 422, the ${field} error and what was typed, and nothing is saved`, async () => {
      const form = aForm({ title: 'Typed title', ...change });
      const res = await organiser.submit('/admin/petitions', form, '/admin/petitions/new');

      assert.equal(res.status, 422);
      assert.match(textOf(res.html, new RegExp(`<p class="field-error" id="${field}-error">`)) ?? '', message);
      assert.match(tagWithId(res.html, field) ?? '', /aria-invalid="true"/);
      assert.equal(fieldValue(res.html, 'title'), form.title);
      assert.equal(fieldValue(res.html, 'body'), form.body);
      assert.equal(await stored(form.slug), null);
    });
  }

  test('when the summary and the body have line breaks (CRLF as a browser sends them) and tabs, then they are kept as typed', async () => {
    const form = await created({ summary: 'Reporters are held\r\nfor their work.', body: 'The first paragraph.\r\n\r\n\tThe second.' });
    const petition = await stored(form.slug);
    assert.deepEqual([petition?.summary, petition?.body], [form.summary, form.body]);
  });

  test('when every field is wrong at once, then every field is named', async () => {
    const form = { slug: '-x-', title: '', summary: '', body: '', target: '', goal: 'many', verification: '', opensAt: 'soon', closesAt: 'later' };
    const res = await organiser.submit('/admin/petitions', form, '/admin/petitions/new');
    assert.equal(res.status, 422);
    for (const field of Object.keys(form)) assert.ok(tagWithId(res.html, `${field}-error`), `${field} has an error`);
  });

  test('when the slug is already used, then 409 with a slug error and the first petition is unchanged', async () => {
    const first = await created();
    const res = await organiser.submit('/admin/petitions', aForm({ slug: first.slug, title: 'Another one' }), '/admin/petitions/new');

    assert.equal(res.status, 409);
    assert.match(textOf(res.html, /<p class="field-error" id="slug-error">/) ?? '', /already uses this address/);
    assert.equal(fieldValue(res.html, 'title'), 'Another one');
    assert.equal((await stored(first.slug))?.title, first.title);
  });
});

describe('editing a petition', () => {
  test('when a draft is edited, then its fields and slug change, the old address is gone, and the change is audited', async () => {
    const form = await created();
    const renamed = aSlug();
    const res = await edit(form.slug, { ...form, slug: renamed, title: 'A better title', goal: '5000' });

    assert.equal(res.status, 303);
    assert.equal(res.location, `/admin/petitions/${renamed}`);
    assert.equal(await stored(form.slug), null);
    const petition = await stored(renamed);
    assert.equal(petition?.title, 'A better title');
    assert.equal(petition?.goal, 5000);
    const entry = await lastAudit('petition.update');
    assert.equal(entry?.petition, renamed);
    assert.deepEqual(entry?.details, { changed: ['slug', 'title', 'goal'], from: form.slug });
  });

  test('when an open petition is edited, then the public page shows it at once, and its slug cannot change', async () => {
    const form = await created();
    await act(form.slug, 'open');
    assert.match((await publicPage(form.slug)).html, /<h1>Free the journalists<\/h1>/);

    assert.equal((await edit(form.slug, { ...form, title: 'Edited title' })).status, 303);
    assert.match((await publicPage(form.slug)).html, /<h1>Edited title<\/h1>/);

    const moved = await edit(form.slug, { ...form, slug: aSlug() });
    assert.equal(moved.status, 422);
    assert.match(textOf(moved.html, /<p class="field-error" id="slug-error">/) ?? '', /cannot change once/);
    assert.equal((await stored(form.slug))?.slug, form.slug);
  });

  test('when the edit form is invalid, then it comes back with 422 and the petition is unchanged', async () => {
    const form = await created();
    const res = await edit(form.slug, { ...form, title: '', goal: '-3' });
    assert.equal(res.status, 422);
    assert.ok(tagWithId(res.html, 'title-error') && tagWithId(res.html, 'goal-error'));
    assert.equal((await stored(form.slug))?.title, form.title);
  });
});

describe('opening and closing', () => {
  test('when a petition is opened, then the public page offers the form and the API accepts a signature', async () => {
    const form = await created();
    const res = await act(form.slug, 'open');

    assert.equal(res.status, 303);
    assert.equal((await stored(form.slug))?.status, 'open');
    assert.ok(tagWithId((await publicPage(form.slug)).html, 'email'), 'the sign form is there');
    const signed = await postJson(signUrl(form.slug), aSigner());
    assert.equal(signed.status, 202);
    assert.deepEqual(signed.body, { status: 'signed' });
    assert.equal((await lastAudit('petition.open'))?.petition, form.slug);
  });

  test('when a petition is closed, then the page says so with its count, and the API and the HTML form refuse with 409', async () => {
    const form = await created();
    await act(form.slug, 'open');
    await postJson(signUrl(form.slug), aSigner());
    const browser = aWebClient(stack.baseUrl);
    const pageBefore = await browser.get(`/petitions/${form.slug}`);

    assert.equal((await act(form.slug, 'close')).status, 303);

    const page = await publicPage(form.slug);
    assert.equal(page.status, 200);
    assert.match(textOf(page.html, /<p class="notice" id="signing-state">/) ?? '', /closed and no longer accepts signatures/);
    assert.doesNotMatch(page.html, /<form/);
    assert.equal(textOf(page.html, /<span data-live-count[^>]*>/), '1');
    const api = await postJson(signUrl(form.slug), aSigner());
    assert.equal(api.status, 409);
    assert.equal((api.body as { error: { code: string } }).error.code, 'petition_closed');
    const fields = { _csrf: fieldValue(pageBefore.html, '_csrf')!, started: fieldValue(pageBefore.html, 'started')!, website: '' };
    const html = await browser.post(`/petitions/${form.slug}/sign`, { ...fields, ...(aSigner() as Record<string, string>) });
    assert.equal(html.status, 409);
    assert.match(html.html, /This petition is closed/);
    assert.equal((await lastAudit('petition.close'))?.petition, form.slug);
  });

  test('when the opening time is in the future, then the page says when it opens and signing is refused as petition_not_open', async () => {
    const opensAt = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 16);
    const form = await created({ opensAt });
    await act(form.slug, 'open');

    const page = await publicPage(form.slug);
    assert.match(textOf(page.html, /<p class="notice" id="signing-state">/) ?? '', /opens for signatures on .+ \(UTC\)/);
    assert.equal(tagWithId(page.html, 'email'), undefined);
    const api = await postJson(signUrl(form.slug), aSigner());
    assert.equal(api.status, 409);
    assert.deepEqual((api.body as { error: { code: string; message: string } }).error, { code: 'petition_not_open', message: 'This petition does not accept signatures yet.' });
  });

  test('when a draft is closed, then 409 and it stays a draft', async () => {
    const form = await created();
    assert.equal((await act(form.slug, 'close')).status, 409, 'a draft cannot be closed');
    assert.equal((await stored(form.slug))?.status, 'draft');
  });
});

describe('the petition body', () => {
  test('when the body has Markdown and hostile HTML, then the public page shows the formatting and nothing executable', async () => {
    const body = [
      '## Why now',
      'We ask **firmly**. Read [the report](https://example.org/report).',
      '<script>alert("owned")</script>',
      '<img src=x onerror="alert(1)">',
      '[click me](javascript:alert(1)) and <a href="javascript:alert(2)">me too</a>',
      '<iframe src="https://evil.example/"></iframe>',
    ].join('\n\n');
    const form = await created({ body });
    await act(form.slug, 'open');

    const html = bodyOf((await publicPage(form.slug)).html);
    assert.match(html, /<h2>Why now<\/h2>/);
    assert.match(html, /<strong>firmly<\/strong>/);
    assert.match(html, /<a href="https:\/\/example\.org\/report" rel="nofollow noopener">the report<\/a>/);
    assert.match(html, /click me/);
    assert.doesNotMatch(html, /<script|<img|<iframe|onerror|javascript:|alert/i);
  });
});

describe('the referring site', () => {
  test('when the page is reached from another site, then its host travels in the form; from the site itself, nothing does', async () => {
    const form = await created();
    await act(form.slug, 'open');

    assert.equal(fieldValue((await publicPage(form.slug, { referer: 'https://News.Example.com/story?id=1' })).html, 'referrer'), 'news.example.com');
    assert.equal(fieldValue((await publicPage(form.slug, { referer: `${stack.baseUrl}/` })).html, 'referrer'), '');
    assert.equal(fieldValue((await publicPage(form.slug)).html, 'referrer'), '');
  });

  test('when the referrer is the configured site address, a non-web scheme or not a host name, then it is ignored', () => {
    assert.equal(externalReferrer('https://petitions.example.org/p/x', ['127.0.0.1', 'petitions.example.org']), undefined);
    assert.equal(externalReferrer('android-app://com.example/', ['127.0.0.1']), undefined);
    assert.equal(externalReferrer('http://[::1]/x', ['127.0.0.1']), undefined);
    assert.equal(externalReferrer('not a url', ['127.0.0.1']), undefined);
    assert.equal(externalReferrer('https://t.co/abc', ['127.0.0.1', 'petitions.example.org']), 't.co');
  });
});

describe('who may manage petitions', () => {
  test('when an analyst tries any petition management route, then 403', async () => {
    const form = await created();
    const analyst = await signedIn(stack, 'analyst');
    for (const path of ['/admin/petitions/new', `/admin/petitions/${form.slug}/edit`, `/admin/petitions/${form.slug}/preview`]) {
      assert.equal((await analyst.get(path)).status, 403, path);
    }
    for (const path of ['/admin/petitions', `/admin/petitions/${form.slug}/edit`, `/admin/petitions/${form.slug}/open`, `/admin/petitions/${form.slug}/close`]) {
      assert.equal((await analyst.submit(path, aForm({ slug: form.slug, title: 'Hijacked' }))).status, 403, path);
    }
    const petition = await stored(form.slug);
    assert.equal(petition?.status, 'draft');
    assert.equal(petition?.title, form.title);
  });

  test('when nobody is signed in, then the pages redirect to the sign-in page', async () => {
    const res = await aWebClient(stack.baseUrl).get('/admin/petitions/new');
    assert.equal(res.status, 303);
    assert.match(res.location ?? '', /^\/admin\/login/);
  });
});
