import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { hashToken } from '../server/signatures/confirm-token-repository.js';
import { asForm, aSigner, givenPetition, postJson } from './helpers/builders.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { stackPerFile, startStack, type Stack } from './helpers/stack.js';
import { attribute, aWebClient, fieldValue, tagWithId, textOf, type WebClient } from './helpers/web-client.js';

let stack: Stack;
stackPerFile((started) => (stack = started));

const FORM_FIELDS = ['firstName', 'lastName', 'email', 'country', 'postcode', 'comment', 'updates', 'hideName'];


/** Opens the petition page and fills in its form as a person would, hidden fields included. */
async function signWithForm(client: WebClient, slug: string, signer: Record<string, unknown>) {
  const page = await client.get(`/petitions/${slug}`);
  assert.equal(page.status, 200);
  return client.post(`/petitions/${slug}/sign`, { ...hiddenFields(page.html), ...asForm(signer) });
}

const hiddenFields = (html: string) => ({ _csrf: fieldValue(html, '_csrf')!, started: fieldValue(html, 'started')!, website: '' });

const liveTotal = (html: string) => textOf(html, /<span data-live-count[^>]*>/);
const pageTotal = async (slug: string) => liveTotal((await aWebClient(stack.baseUrl).get(`/petitions/${slug}`)).html);

async function confirmationToken(email: string): Promise<string> {
  await stack.smtp.waitFor(() => stack.smtp.to(email).length >= 1);
  return confirmTokenFrom(stack.smtp.to(email)[0]!);
}

describe('the home page', () => {
  test('when a petition is open and signed, then the home page lists it with its total', async () => {
    const petition = await givenPetition(stack, { verification: 'none', title: 'Free the press', goal: 5000 });
    for (let i = 0; i < 2; i++) await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, aSigner());

    const home = await aWebClient(stack.baseUrl).get('/');

    assert.equal(home.status, 200);
    const card = new RegExp(`<li class="card">(?:(?!</li>)[\\s\\S])*href="/petitions/${petition.slug}"(?:(?!</li>)[\\s\\S])*</li>`).exec(home.html)?.[0];
    assert.ok(card, 'the petition has a card');
    assert.match(card, /Free the press/);
    assert.match(card, /<strong>2<\/strong> \/ 5,000/);
  });

  test('when a petition is closed, then the home page does not list it', async () => {
    const petition = await givenPetition(stack, { status: 'closed' });
    const home = await aWebClient(stack.baseUrl).get('/');
    assert.ok(!home.html.includes(`/petitions/${petition.slug}"`));
  });
});

describe('the petition page', () => {
  test('when the page is shown, then every form field has a label and the checkboxes are unticked', async () => {
    const petition = await givenPetition(stack, { title: 'Clean rivers', target: 'The ministry' });
    const page = await aWebClient(stack.baseUrl).get(`/petitions/${petition.slug}`);

    assert.equal(page.status, 200);
    assert.match(page.html, /<h1>Clean rivers<\/h1>/);
    assert.match(page.html, /To: The ministry/);
    assert.equal(liveTotal(page.html), '0');
    for (const field of FORM_FIELDS) {
      const control = tagWithId(page.html, field);
      assert.ok(control, `#${field} exists`);
      assert.equal(attribute(control, 'name'), field);
      const label = textOf(page.html, new RegExp(`<label for="${field}">`));
      assert.ok(label && label.length > 2, `#${field} has a label with text`);
    }
    for (const box of ['updates', 'hideName']) {
      assert.equal(attribute(tagWithId(page.html, box), 'type'), 'checkbox');
      assert.doesNotMatch(tagWithId(page.html, box)!, /\bchecked\b/);
    }
    assert.doesNotMatch(page.html, /aria-invalid/);
  });

  test('when the page is shown, then the country list offers about 250 countries by their English names', async () => {
    const petition = await givenPetition(stack);
    const page = await aWebClient(stack.baseUrl).get(`/petitions/${petition.slug}`);

    const select = /<select[^>]*id="country"[^>]*>([\s\S]*?)<\/select>/.exec(page.html)?.[1] ?? '';
    const options = [...select.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((m) => ({ code: m[1], name: m[2] }));
    assert.equal(options[0]?.code, '', 'the first option asks to choose');
    const countries = options.slice(1);
    assert.ok(countries.length >= 245 && countries.length <= 255, `${countries.length} countries`);
    assert.equal(new Set(countries.map((c) => c.code)).size, countries.length, 'no country twice');
    for (const [code, name] of [['FR', 'France'], ['DE', 'Germany'], ['CI', 'Côte d’Ivoire'], ['GB', 'United Kingdom'], ['JP', 'Japan']]) {
      assert.deepEqual(countries.find((c) => c.code === code), { code, name });
    }
    assert.doesNotMatch(select, /\sselected/);
  });

  test('when a petition is closed, then its page says so and offers no form', async () => {
    const petition = await givenPetition(stack, { status: 'closed' });
    const client = aWebClient(stack.baseUrl);
    const page = await client.get(`/petitions/${petition.slug}`);

    assert.equal(page.status, 200);
    assert.match(page.html, /This petition is closed and no longer accepts signatures\./);
    assert.doesNotMatch(page.html, /<form/);
    assert.equal(tagWithId(page.html, 'email'), undefined);

    // A form left open in a tab while the petition closed is refused, with the same message.
    const open = await givenPetition(stack);
    const form = await client.get(`/petitions/${open.slug}`);
    const refused = await client.post(`/petitions/${petition.slug}/sign`, { ...hiddenFields(form.html), ...asForm(aSigner()) });
    assert.equal(refused.status, 409);
    assert.match(refused.html, /This petition is closed/);
  });

  test('when a petition does not exist, then a 404 page is shown', async () => {
    const page = await aWebClient(stack.baseUrl).get('/petitions/no-such-petition');
    assert.equal(page.status, 404);
    assert.match(page.html, /There is no petition at this address|could not find/);
  });
});

describe('signing with the form', () => {
  test('when a person signs and confirms through the emailed link, then the signature counts only after pressing Confirm', async () => {
    const petition = await givenPetition(stack);
    const client = aWebClient(stack.baseUrl);
    const signer = aSigner({ country: 'FR', postcode: 'SW1A 1AA', comment: 'For my family', updates: 'on' });

    const signed = await signWithForm(client, petition.slug, signer);
    assert.equal(signed.status, 303);
    assert.equal(signed.location, `/petitions/${petition.slug}/check-email`);
    const checkEmail = await client.get(signed.location);
    assert.equal(checkEmail.status, 200);
    assert.match(checkEmail.html, /Check your email/);

    const token = await confirmationToken(signer.email as string);
    const confirmPage = await client.get(`/confirm/${token}`);
    assert.equal(confirmPage.status, 200);
    assert.match(confirmPage.html, new RegExp(`<form method="post" action="/confirm/${token}">`));
    assert.match(confirmPage.html, /<button type="submit">Confirm my signature<\/button>/);
    assert.equal(await pageTotal(petition.slug), '0', 'following the link alone counts nothing');

    const confirmed = await client.post(`/confirm/${token}`, { _csrf: fieldValue(confirmPage.html, '_csrf')! });
    assert.equal(confirmed.status, 303);
    assert.equal(confirmed.location, `/petitions/${petition.slug}/thanks?confirmed=1`);
    const thanks = await client.get(confirmed.location);
    assert.equal(thanks.status, 200);
    assert.match(thanks.html, /Your signature is confirmed and counted\./);
    assert.equal(await pageTotal(petition.slug), '1');
    const page = await client.get(`/petitions/${petition.slug}`);
    assert.match(page.html, /<li><span>France<\/span> <strong>1<\/strong><\/li>/);
  });

  test('when the thank-you page is shown, then it offers share links and the petition address', async () => {
    const petition = await givenPetition(stack, { title: 'Save the library' });
    const thanks = await aWebClient(stack.baseUrl).get(`/petitions/${petition.slug}/thanks`);

    assert.equal(thanks.status, 200);
    // Each link carries its channel as ref (test/sharing.test.ts checks every network's format in a browser).
    const url = (ref: string) => `${stack.services.config.BASE_URL}/petitions/${petition.slug}?ref=${ref}`;
    const links = [...thanks.html.matchAll(/<a class="button secondary" href="([^"]*)" data-channel="([^"]*)"[^>]*>([^<]*)<\/a>/g)].map((m) => ({ href: m[1]!.replaceAll('&amp;', '&'), channel: m[2]!, name: m[3]! }));
    assert.deepEqual(links.map((l) => l.name), ['WhatsApp', 'Telegram', 'X', 'Facebook', 'LinkedIn', 'Bluesky', 'VK', 'Weibo', 'LINE', 'Email']);
    const notSharing = links.filter((link) => !decodeURIComponent(link.href).includes(url(link.channel)));
    assert.deepEqual(notSharing, [], 'every link shares the petition address with its channel');
    assert.equal(attribute(tagWithId(thanks.html, 'share-url'), 'value'), url('copy'));
    assert.match(thanks.html, /<label for="share-url">/);
  });

  test('when a petition needs no email confirmation, then the form goes straight to the thank-you page and counts', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const client = aWebClient(stack.baseUrl);

    const signed = await signWithForm(client, petition.slug, aSigner());

    assert.equal(signed.status, 303);
    assert.equal(signed.location, `/petitions/${petition.slug}/thanks`);
    assert.match((await client.get(signed.location)).html, /Your signature is counted\./);
    assert.equal(await pageTotal(petition.slug), '1');
  });

  test('when the same person signs twice with the form, then the second answer is exactly the first', async () => {
    for (const verification of ['email', 'none'] as const) {
      const petition = await givenPetition(stack, { verification });
      const first = await signWithForm(aWebClient(stack.baseUrl), petition.slug, aSigner({ email: `twice-${petition.slug}@example.org` }));
      const again = await signWithForm(aWebClient(stack.baseUrl), petition.slug, aSigner({ email: `Twice-${petition.slug}@Example.org`, firstName: 'Other' }));

      assert.equal(first.status, 303);
      assert.deepEqual({ status: again.status, location: again.location, html: again.html }, { status: first.status, location: first.location, html: first.html });
    }
  });

  test('when an email address is invalid, then the form comes back with an inline error and keeps what was typed', async () => {
    const petition = await givenPetition(stack);
    const client = aWebClient(stack.baseUrl);

    const res = await signWithForm(client, petition.slug, aSigner({ email: 'not-an-address', firstName: 'Zoë <b>', comment: 'Keep "this"', updates: 'on' }));

    assert.equal(res.status, 422);
    assert.match(res.html, /Please correct the fields marked below\./);
    assert.equal(attribute(tagWithId(res.html, 'email'), 'aria-invalid'), 'true');
    assert.match(attribute(tagWithId(res.html, 'email'), 'aria-describedby') ?? '', /\bemail-error\b/);
    assert.equal(textOf(res.html, /<p class="field-error" id="email-error">/), 'Enter an email address like name@example.org.');
    assert.equal(fieldValue(res.html, 'email'), 'not-an-address');
    assert.equal(fieldValue(res.html, 'firstName'), 'Zoë <b>');
    assert.ok(!res.html.includes('Zoë <b>'), 'typed text is escaped');
    assert.equal(fieldValue(res.html, 'comment'), 'Keep "this"');
    assert.equal(fieldValue(res.html, 'country'), 'GB');
    assert.match(tagWithId(res.html, 'updates')!, /\bchecked\b/);
    assert.equal(attribute(tagWithId(res.html, 'firstName'), 'aria-invalid'), undefined);
  });

  test('when the form is sent faster than a person can fill it, then it comes back with a notice and keeps the values', async (t) => {
    const slow = await startStack({ FORM_MIN_FILL_SECONDS: '30' });
    t.after(() => slow.stop());
    const petition = await givenPetition(slow);
    const client = aWebClient(slow.baseUrl);
    const signer = aSigner({ country: 'KE', comment: 'Quick', hideName: 'on' });

    const res = await signWithForm(client, petition.slug, signer);

    assert.equal(res.status, 422);
    assert.match(textOf(res.html, /<p class="notice" role="alert">/) ?? '', /That was quick/);
    for (const field of ['firstName', 'lastName', 'email', 'country', 'comment']) assert.equal(fieldValue(res.html, field), signer[field], field);
    assert.match(tagWithId(res.html, 'hideName')!, /\bchecked\b/);
    assert.doesNotMatch(tagWithId(res.html, 'updates')!, /\bchecked\b/);
    assert.equal(await slow.database.connection.collection('signatures').countDocuments({}), 0, 'nothing stored');
  });

  test('when the form is posted without its CSRF token, then it is refused and nothing is stored', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const client = aWebClient(stack.baseUrl);
    const page = await client.get(`/petitions/${petition.slug}`);

    const { _csrf, ...withoutToken } = hiddenFields(page.html);
    const res = await client.post(`/petitions/${petition.slug}/sign`, { ...withoutToken, ...asForm(aSigner()) });
    const forged = await aWebClient(stack.baseUrl).post(`/petitions/${petition.slug}/sign`, { _csrf, ...withoutToken, ...asForm(aSigner()) });

    assert.equal(res.status, 403);
    assert.match(res.html, /Your form expired/);
    assert.equal(forged.status, 403, 'a token without its cookies is useless');
    assert.equal(await pageTotal(petition.slug), '0');
  });

  test('when the hidden honeypot field is filled in, then the submission is refused', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const client = aWebClient(stack.baseUrl);
    const page = await client.get(`/petitions/${petition.slug}`);

    const res = await client.post(`/petitions/${petition.slug}/sign`, { ...hiddenFields(page.html), website: 'http://spam.example', ...asForm(aSigner()) });

    assert.equal(res.status, 422);
    assert.equal(await pageTotal(petition.slug), '0');
  });
});

describe('confirmation links', () => {
  test('when a confirmation link is unknown, then a 404 page explains it', async () => {
    const page = await aWebClient(stack.baseUrl).get(`/confirm/${'A'.repeat(43)}`);
    assert.equal(page.status, 404);
    assert.match(page.html, /<h1>This link is not valid<\/h1>/);
    assert.doesNotMatch(page.html, /<form/);
  });

  test('when a confirmation link has expired, then a 410 page explains it and pressing Confirm counts nothing', async () => {
    const petition = await givenPetition(stack);
    const client = aWebClient(stack.baseUrl);
    const signer = aSigner();
    await signWithForm(client, petition.slug, signer);
    const fresh = await confirmationToken(signer.email as string);
    const stored = await stack.database.connection.collection<{ _id: string; signatureId: unknown; petitionId: unknown; country: unknown }>('confirm_tokens').findOne({ _id: hashToken(fresh) });
    const expired = await stack.services.tokens.issue(
      { signatureId: String(stored!.signatureId), petitionId: String(stored!.petitionId), country: String(stored!.country) },
      new Date(Date.now() - 1000),
    );

    const page = await client.get(`/confirm/${expired}`);
    assert.equal(page.status, 410);
    assert.match(page.html, /<h1>This link has expired<\/h1>/);
    assert.match(page.html, /valid for 7 days/);

    const csrf = fieldValue((await client.get(`/petitions/${petition.slug}`)).html, '_csrf')!;
    const pressed = await client.post(`/confirm/${expired}`, { _csrf: csrf });
    assert.equal(pressed.status, 410);
    assert.equal(await pageTotal(petition.slug), '0');
  });

  test('when Confirm is pressed without the CSRF token, then it is refused and counts nothing', async () => {
    const petition = await givenPetition(stack);
    const client = aWebClient(stack.baseUrl);
    const signer = aSigner();
    await signWithForm(client, petition.slug, signer);
    const token = await confirmationToken(signer.email as string);

    const res = await aWebClient(stack.baseUrl).post(`/confirm/${token}`, {});

    assert.equal(res.status, 403);
    assert.equal(await pageTotal(petition.slug), '0');
  });
});

describe('what every page sends', () => {
  /** One of each kind of page, reached the way a person would reach it. */
  async function everyKindOfPage(): Promise<{ name: string; status: number; headers: Headers; html: string }[]> {
    const open = await givenPetition(stack);
    const closed = await givenPetition(stack, { status: 'closed' });
    const client = aWebClient(stack.baseUrl);
    const signer = aSigner();
    const signed = await signWithForm(client, open.slug, signer);
    const token = await confirmationToken(signer.email as string);
    const pages: [string, Promise<Awaited<ReturnType<WebClient['get']>>>][] = [
      ['home', client.get('/')],
      ['petition', client.get(`/petitions/${open.slug}`)],
      ['closed petition', client.get(`/petitions/${closed.slug}`)],
      ['form with errors', signWithForm(client, open.slug, aSigner({ email: 'nope' }))],
      ['check email', client.get(signed.location!)],
      ['confirm', client.get(`/confirm/${token}`)],
      ['unknown link', client.get(`/confirm/${'B'.repeat(43)}`)],
      ['thanks', client.get(`/petitions/${open.slug}/thanks?confirmed=1`)],
      ['not found', client.get('/no/such/page')],
    ];
    return Promise.all(pages.map(async ([name, res]) => ({ name, ...(await res) })));
  }

  test('when any page is served, then it has a strict Content-Security-Policy and no X-Powered-By', async () => {
    for (const page of await everyKindOfPage()) {
      const csp = page.headers.get('content-security-policy') ?? '';
      assert.match(csp, /(^|;)\s*script-src 'self'(;|$)/, `${page.name}: ${csp}`);
      assert.match(csp, /(^|;)\s*style-src 'self'(;|$)/, page.name);
      assert.match(csp, /frame-ancestors 'none'/, page.name);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/, page.name);
      assert.equal(page.headers.get('x-powered-by'), null, page.name);
      assert.equal(page.headers.get('x-content-type-options'), 'nosniff', page.name);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html; charset=utf-8/i, page.name);
    }
  });

  test('when any page is served, then it has no inline script, event handler or style attribute', async () => {
    const pages = await everyKindOfPage();
    assert.deepEqual(pages.map((p) => p.status), [200, 200, 200, 422, 200, 200, 404, 200, 404]);
    for (const page of pages) {
      const scripts = page.html.match(/<script\b[^>]*>/gi) ?? [];
      assert.ok(scripts.length >= 1, `${page.name} loads its script`);
      for (const tag of scripts) assert.match(tag, /\ssrc="\/static\/[^"]+"/, `${page.name}: ${tag}`);
      assert.doesNotMatch(page.html, /<script\b[^>]*>[^<\s]/i, page.name);
      assert.doesNotMatch(page.html, /<[^>]+\son[a-z]+=/i, `${page.name} has no inline event handler`);
      assert.doesNotMatch(page.html, /<[^>]+\sstyle=/i, `${page.name} has no style attribute (CSP forbids it)`);
      assert.doesNotMatch(page.html, /javascript:/i, page.name);
    }
  });

  test('when static assets are requested by their hashed names, then they are cached for a year as immutable', async () => {
    const home = await aWebClient(stack.baseUrl).get('/');
    const css = /<link rel="stylesheet" href="(\/static\/css\/site\.[0-9a-f]{10}\.css)">/.exec(home.html)?.[1];
    const js = /<script src="(\/static\/js\/live-count\.[0-9a-f]{10}\.js)"/.exec(home.html)?.[1];
    assert.ok(css && js, 'the layout links hashed names');

    for (const [path, type] of [[css, /^text\/css/], [js, /javascript/]] as const) {
      const res = await fetch(`${stack.baseUrl}${path}`);
      assert.equal(res.status, 200, path);
      assert.match(res.headers.get('content-type') ?? '', type);
      const cache = res.headers.get('cache-control') ?? '';
      assert.match(cache, /max-age=31536000/, cache);
      assert.match(cache, /immutable/, cache);
      assert.ok((await res.text()).length > 100);
    }
    assert.equal((await fetch(`${stack.baseUrl}/static/css/site.css`)).status, 404, 'unhashed names are not served');
    assert.equal((await fetch(`${stack.baseUrl}/static/css/site.0000000000.css`)).status, 404, 'stale hashes are not served');
  });
});

describe('campaign links and caching', () => {
  test('when a petition is opened from a link with ?ref=, then the form carries the ref and the page may not be stored by shared caches', async () => {
    const petition = await givenPetition(stack);
    const res = await fetch(`${stack.baseUrl}/petitions/${petition.slug}?ref=newsletter_7`);
    const html = await res.text();
    assert.match(html, /name="ref" value="newsletter_7"/);
    // private: never kept by a shared cache (the CSRF token is per browser); no-cache: the browser asks with its ETag.
    assert.equal(res.headers.get('cache-control'), 'private, no-cache');
    const hostile = await (await fetch(`${stack.baseUrl}/petitions/${petition.slug}?ref=%22%3E%3Cscript%3E`)).text();
    assert.match(hostile, /name="ref" value=""/);
  });
});
