import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { confirmTokenFrom, type ReceivedMail } from './helpers/smtp.js';
import { stackPerFile, type Stack } from './helpers/stack.js';
import { aWebClient, fieldValue, type WebResponse } from './helpers/web-client.js';

let stack: Stack;
stackPerFile((started) => (stack = started));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const site = () => stack.services.config.BASE_URL;
const t = (lang: string, key: string, vars: Record<string, unknown> = {}) => stack.services.i18n.t(lang, key, vars);

async function mailTo(address: string, subject: string): Promise<ReceivedMail> {
  await stack.smtp.waitFor(() => stack.smtp.to(address).some((m) => m.subject === subject)).catch(() => {
    assert.fail(`no mail "${subject}" to ${address}; got: ${JSON.stringify(stack.smtp.to(address).map((m) => m.subject))}`);
  });
  return stack.smtp.to(address).find((m) => m.subject === subject)!;
}

/** Signs through the API in `lang`; confirms through the emailed link unless told not to. */
async function signed(slug: string, title: string, lang: string, { confirm = true } = {}) {
  const signer = aSigner() as { email: string };
  assert.equal((await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures?lang=${lang}`, signer)).status, 202);
  const confirmation = await mailTo(signer.email, t(lang, 'mail.confirmSignature.subject', { title }));
  if (confirm) assert.equal((await postJson(`${stack.baseUrl}/api/v1/confirm/${confirmTokenFrom(confirmation)}`, '')).status, 200);
  return signer;
}

/** What an answer says: status, body and headers, without those that differ on every response anyway. */
function answer(res: WebResponse) {
  const varying = new Set(['date', 'etag', 'x-request-id', 'set-cookie']);
  return { status: res.status, headers: [...res.headers].filter(([name]) => !varying.has(name)), body: res.html };
}

describe('the "you\'re confirmed" email and lost receipts', () => {
  test('when a signer confirms on the Spanish site, then the "counted" email gives, in Spanish and in both parts, the receipt link, their own share link and what happens next', async () => {
    const petition = await givenPetition(stack, { goal: 25000 });
    const signer = await signed(petition.slug, petition.title, 'es');
    const mail = await mailTo(signer.email, t('es', 'mail.signatureCounted.subject', { title: petition.title }));

    const receipt = new RegExp(`${site()}/es/receipts/[A-Za-z0-9_-]+`).exec(mail.text)?.[0];
    assert.ok(receipt, `a Spanish receipt link in: ${mail.text}`);
    const via = new RegExp(`${site()}/es/petitions/${petition.slug}\\?via=([A-Za-z0-9_-]{12})`).exec(mail.text)?.[1];
    assert.ok(via, `a personal share link in: ${mail.text}`);
    const receiptPage = await aWebClient(stack.baseUrl).get(receipt.slice(site().length));
    assert.ok(receiptPage.html.includes(via), "the email's share code is the one the receipt shows");

    const expected = [
      t('es', 'mail.signatureCounted.nextHeading'),
      t('es', 'mail.signatureCounted.progress', { count: '1', goal: new Intl.NumberFormat('es').format(25000) }),
      t('es', 'mail.signatureCounted.handover', { target: petition.target }),
      t('es', 'mail.signatureCounted.manage'),
    ];
    const missing = ['text', 'html'].flatMap((part) => expected.filter((line) => !mail[part as 'text' | 'html'].includes(part === 'html' ? escapeHtml(line) : line)).map((line) => `${part}: ${line}`));
    assert.deepEqual(missing, []);
    assert.ok(mail.html.includes(`href="${receipt}"`) && mail.html.includes(`${escapeHtml(`?via=${via}`)}"`), 'the HTML part links both');
  });

  test('when a confirmed signer, a pending signer and a stranger ask for their receipt link, then all three get the same answer and only the confirmed signer gets an email, with a working receipt link', async () => {
    const petition = await givenPetition(stack);
    const confirmed = await signed(petition.slug, petition.title, 'en');
    const pending = await signed(petition.slug, petition.title, 'en', { confirm: false });
    const stranger = aSigner() as { email: string };
    const client = aWebClient(stack.baseUrl);
    const lost = await client.get('/receipts/lost');
    assert.ok(lost.html.includes(`href="/petitions/${petition.slug}/receipt"`), 'the page the verify page links to offers the petition');
    const page = await client.get(`/petitions/${petition.slug}`);
    assert.match(page.html, new RegExp(`<a id="lost-receipt" href="/petitions/${petition.slug}/receipt">`), 'the petition page links to the request form');
    const form = await client.get(`/petitions/${petition.slug}/receipt`);
    assert.equal(form.status, 200);
    const ask = (email: string) => client.post(`/petitions/${petition.slug}/receipt`, { _csrf: fieldValue(form.html, '_csrf')!, email });

    const [forSigner, forPending, forStranger] = [answer(await ask(confirmed.email)), answer(await ask(pending.email)), answer(await ask(stranger.email))];
    assert.equal(forSigner.status, 200);
    assert.deepEqual(forPending, forSigner, 'a pending signer gets the same answer as a confirmed one');
    assert.deepEqual(forStranger, forSigner, 'a stranger gets the same answer as a signer');

    const subject = t('en', 'mail.receiptRequest.subject', { title: petition.title });
    const mail = await mailTo(confirmed.email, subject);
    const link = /\/receipts\/[A-Za-z0-9_-]+/.exec(mail.text)?.[0];
    assert.ok(link, mail.text);
    assert.equal((await client.get(link)).status, 200, 'the emailed receipt link opens the receipt');
    await sleep(1000);
    const others = stack.smtp.messages.filter((m) => m.subject === subject && m.to !== confirmed.email).map((m) => m.to);
    assert.deepEqual(others, [], 'nobody but the confirmed signer got a receipt link');
  });

  test('when the address entered is not an email address, then the form comes back with a 422 naming the problem', async () => {
    const petition = await givenPetition(stack);
    const client = aWebClient(stack.baseUrl);
    const form = await client.get(`/petitions/${petition.slug}/receipt`);
    const res = await client.post(`/petitions/${petition.slug}/receipt`, { _csrf: fieldValue(form.html, '_csrf')!, email: 'not-an-address' });
    assert.equal(res.status, 422);
    assert.ok(res.html.includes(t('en', 'receiptsLost.emailInvalid')), res.html);
  });
});

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#x27;').replace(/`/g, '&#x60;').replace(/=/g, '&#x3D;');
}
