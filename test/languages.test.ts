import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { LANGUAGES, localisedPath } from '../server/i18n/languages.js';
import { signedIn } from './helpers/admin.js';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { startStack, type Stack } from './helpers/stack.js';
import { aWebClient, attribute, fieldValue, type WebClient } from './helpers/web-client.js';

let stack: Stack;
let slug: string;
/** Public pages that need a petition or a token, as unprefixed paths. */
let pages: { name: string; path: string; status: number }[];

const htmlTag = (html: string) => /<html\b[^>]*>/.exec(html)?.[0];
const hiddenFields = (html: string) => ({ _csrf: fieldValue(html, '_csrf')!, started: fieldValue(html, 'started')!, website: '' });
/** A sentence every English public page carries (the footer); other languages must show their own. */
const ENGLISH_FOOTER = 'Handover is open-source.';

before(async () => {
  stack = await startStack();
  ({ slug } = await givenPetition(stack, { verification: 'email' }));
  const signer = aSigner();
  assert.equal((await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, signer)).status, 202);
  await stack.smtp.waitFor(() => stack.smtp.to(signer.email as string).length >= 1);
  const confirmToken = confirmTokenFrom(stack.smtp.to(signer.email as string)[0]!);
  // The confirm page (GET) is shown before confirming; confirming hands the browser its receipt link.
  const client = aWebClient(stack.baseUrl);
  const confirmPage = await client.get(`/confirm/${confirmToken}`);
  const confirmed = await client.post(`/confirm/${confirmToken}`, { _csrf: fieldValue(confirmPage.html, '_csrf')! });
  assert.equal(confirmed.status, 303);
  const thanks = await client.get(confirmed.location!);
  const receipt = attribute(/<p class="notice" id="receipt-link">[\s\S]*?(<a [^>]*>)/.exec(thanks.html)?.[1], 'href');
  assert.ok(receipt, 'the thank-you page links to the receipt');
  pages = [
    { name: 'home', path: '/', status: 200 },
    { name: 'petition', path: `/petitions/${slug}`, status: 200 },
    { name: 'check email', path: `/petitions/${slug}/check-email`, status: 200 },
    { name: 'thanks', path: `/petitions/${slug}/thanks`, status: 200 },
    { name: 'confirm', path: `/confirm/${confirmToken}`, status: 200 },
    { name: 'receipt', path: receipt, status: 200 },
    { name: 'verify', path: '/verify', status: 200 },
    { name: 'not found', path: '/no-such-page', status: 404 },
  ];
});
after(async () => {
  await stack.stop();
});

describe('pages in every language', () => {
  test('when each public page is opened in each language, then it has that language and direction, and none of the English site text', async () => {
    const wrong: string[] = [];
    for (const { code, dir } of LANGUAGES) {
      for (const page of pages) {
        const res = await aWebClient(stack.baseUrl).get(localisedPath(code, page.path));
        const tag = htmlTag(res.html);
        if (res.status !== page.status) wrong.push(`${code} ${page.name}: status ${res.status}`);
        else if (attribute(tag, 'lang') !== code || attribute(tag, 'dir') !== dir) wrong.push(`${code} ${page.name}: ${tag}`);
        else if (code !== 'en' && res.html.includes(ENGLISH_FOOTER)) wrong.push(`${code} ${page.name}: English footer`);
        else if (code === 'en' && !res.html.includes(ENGLISH_FOOTER)) wrong.push(`en ${page.name}: no footer`);
      }
    }
    assert.deepEqual(wrong, []);
  });

  test('when a petition page is read, then it links to itself in every language and x-default, as absolute addresses', async () => {
    const res = await aWebClient(stack.baseUrl).get(`/fr/petitions/${slug}?ref=poster`);
    const alternates = [...res.html.matchAll(/<link rel="alternate" hreflang="([^"]+)" href="([^"]+)">/g)].map((m) => [m[1], m[2]]);
    const base = stack.services.config.BASE_URL;
    assert.deepEqual(alternates, [
      ...LANGUAGES.map((l) => [l.code, `${base}${localisedPath(l.code, `/petitions/${slug}`)}`]),
      ['x-default', `${base}/petitions/${slug}`],
    ]);
  });
});

describe('petition titles on the pages around signing', () => {
  test('when a petition has a Spanish text, then the Spanish check-email, thanks and confirm pages name it in Spanish, and the French ones in its main language', async () => {
    const es = { title: 'Liberen a los detenidos', summary: 'Resumen.', body: 'Texto.', target: 'el gobierno' };
    const petition = await givenPetition(stack, { verification: 'email', title: 'Free the detainees', translations: { es } });
    const signer = aSigner();
    assert.equal((await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, signer)).status, 202);
    await stack.smtp.waitFor(() => stack.smtp.to(signer.email as string).length >= 1);
    const token = confirmTokenFrom(stack.smtp.to(signer.email as string)[0]!);

    const titles: string[] = [];
    for (const path of [`/petitions/${petition.slug}/check-email`, `/petitions/${petition.slug}/thanks`, `/confirm/${token}`]) {
      for (const lang of ['es', 'fr']) {
        const html = (await aWebClient(stack.baseUrl).get(localisedPath(lang, path))).html;
        titles.push(`${lang} ${path.split('/')[1]}: ${html.includes(es.title) ? 'Spanish' : html.includes('Free the detainees') ? 'English' : 'none'}`);
      }
    }
    assert.deepEqual(titles, ['es petitions: Spanish', 'fr petitions: English', 'es petitions: Spanish', 'fr petitions: English', 'es confirm: Spanish', 'fr confirm: English']);
  });
});

describe('choosing a language', () => {
  test('when a browser that prefers Arabic opens an English address for the first time, then it is sent to the same page in Arabic', async () => {
    const res = await fetch(`${stack.baseUrl}/petitions/${slug}?ref=whatsapp`, { headers: { 'accept-language': 'ar-EG,ar;q=0.9,en;q=0.5' }, redirect: 'manual' });
    assert.equal(res.status, 302);
    assert.equal(res.headers.get('location'), `/ar/petitions/${slug}?ref=whatsapp`);
    assert.match(res.headers.get('vary') ?? '', /Accept-Language/);
  });

  test('when a browser prefers Taiwanese Chinese, then it gets Traditional Chinese; when it prefers a language we lack, then English', async () => {
    const first = async (acceptLanguage: string) =>
      (await fetch(`${stack.baseUrl}/verify`, { headers: { 'accept-language': acceptLanguage }, redirect: 'manual' })).headers.get('location');
    assert.equal(await first('zh-TW,zh;q=0.8'), '/zh-Hant/verify');
    assert.equal(await first('zh-CN'), '/zh-Hans/verify');
    assert.equal(await first('de-DE,fr;q=0.4'), '/fr/verify');
    assert.equal(await first('de-DE,ru;q=0.4'), null);
  });

  test('when a visitor picks French in the switcher, then they stay on the same page, and French is remembered until they pick English', async () => {
    const client = aWebClient(stack.baseUrl);
    const english = await client.get(`/petitions/${slug}`);
    const french = attribute(/<a [^>]*hreflang="fr"[^>]*>/.exec(english.html)?.[0], 'href');
    assert.equal(french, `/fr/petitions/${slug}`);

    const page = await client.get(french);
    assert.equal(attribute(htmlTag(page.html), 'lang'), 'fr');
    assert.equal((await client.get('/verify')).location, '/fr/verify', 'the choice is remembered');

    const back = attribute(/<a [^>]*hreflang="en"[^>]*>/.exec(page.html)?.[0], 'href')!;
    assert.equal(back, `/petitions/${slug}?lang=en`);
    assert.equal(attribute(htmlTag((await client.get(back)).html), 'lang'), 'en');
    const later = await client.get('/verify');
    assert.equal(later.status, 200, 'English is remembered too');
    assert.equal(attribute(htmlTag(later.html), 'lang'), 'en');
  });

  test('when the sign form is sent with mistakes from the Spanish page, then the errors come back in Spanish on the Spanish form', async () => {
    const client = aWebClient(stack.baseUrl);
    const page = await client.get(`/es/petitions/${slug}`);
    assert.equal(attribute(/<form [^>]*method="post"[^>]*>/.exec(page.html)?.[0], 'action'), `/es/petitions/${slug}/sign`);

    const res = await client.post(`/es/petitions/${slug}/sign`, { ...hiddenFields(page.html), firstName: 'Ana', lastName: 'García', email: 'not-an-email', country: 'ES' });

    assert.equal(res.status, 422);
    assert.equal(attribute(htmlTag(res.html), 'lang'), 'es');
    assert.match(res.html, /Escriba una dirección de correo electrónico/);
    assert.doesNotMatch(res.html, /Enter an email address/);
  });

  test('when someone signs on the Arabic page, then they land on the Arabic check-email page', async () => {
    const client = aWebClient(stack.baseUrl);
    const page = await client.get(`/ar/petitions/${slug}`);
    const res = await client.post(`/ar/petitions/${slug}/sign`, { ...hiddenFields(page.html), ...(aSigner({ firstName: 'مريم', lastName: 'عبد الله' }) as Record<string, string>) });
    assert.equal(res.status, 303);
    assert.equal(res.location, `/ar/petitions/${slug}/check-email`);
  });
});

describe('the workspace', () => {
  let organiser: WebClient;
  before(async () => {
    organiser = await signedIn(stack, 'organiser');
  });

  test('when an organiser picks Arabic in the workspace, then the workspace turns Arabic and right to left, and stays so', async () => {
    const home = await organiser.get('/admin');
    const arabic = attribute(/<a [^>]*hreflang="ar"[^>]*>/.exec(home.html)?.[0], 'href');
    assert.equal(arabic, '/admin?lang=ar');

    const page = await organiser.get(arabic);
    assert.equal(htmlTag(page.html), '<html lang="ar" dir="rtl">');
    const later = await organiser.get('/admin');
    assert.equal(htmlTag(later.html), '<html lang="ar" dir="rtl">');
  });
});
