import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { shareCodeLabel } from '../server/sharing/index.js';
import { normaliseEmail } from '../server/signatures/email-normaliser.js';
import { newIntentId } from '../server/signatures/signature-journal-repository.js';
import { signatureId } from '../server/signatures/signature-repository.js';
import { createViaCounting } from '../server/signatures/via-counting.js';
import { signedIn } from './helpers/admin.js';
import { asForm, aSigner, givenPetition, postJson } from './helpers/builders.js';
import { petitionIdOf } from './helpers/export-signatures.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { stackPerFile, type Stack } from './helpers/stack.js';
import { aWebClient, fieldValue, textOf, type WebClient } from './helpers/web-client.js';

let stack: Stack;
stackPerFile((started) => (stack = started));

const raw = (name: string) => stack.database.connection.collection(name);

/** Opens the petition page at `path` (with its query) and signs with the form as it is, hidden fields included. */
async function signFrom(client: WebClient, slug: string, path: string, signer: Record<string, unknown>) {
  const page = await client.get(path);
  const hidden = Object.fromEntries(['_csrf', 'started', 'ref', 'referrer', 'via'].map((f) => [f, fieldValue(page.html, f) ?? '']));
  return client.post(`/petitions/${slug}/sign`, { ...hidden, website: '', ...asForm(signer) });
}

async function tokenFor(email: string): Promise<string> {
  await stack.smtp.waitFor(() => stack.smtp.to(email).length >= 1);
  return confirmTokenFrom(stack.smtp.to(email)[0]!);
}

/** Signs from `path` and confirms through the emailed link; returns the thank-you page and the token. */
async function signAndConfirm(slug: string, path: string, signer = aSigner()) {
  const client = aWebClient(stack.baseUrl);
  const signed = await signFrom(client, slug, path, signer);
  assert.equal(signed.status, 303, `signing answered ${signed.status}`);
  const token = await tokenFor(signer.email as string);
  const confirmPage = await client.get(`/confirm/${token}`);
  const confirmed = await client.post(`/confirm/${token}`, { _csrf: fieldValue(confirmPage.html, '_csrf')! });
  assert.equal(confirmed.status, 303);
  return { thanks: await client.get(confirmed.location!), token, signer };
}

const unescape = (s: string) => s.replace(/&amp;/g, '&').replace(/&#x3D;/g, '=');
const personalCount = (html: string) => textOf(html, /<strong id="personal-count">/);
const copiedLink = (html: string) => unescape(/id="share-url"[^>]*value="([^"]*)"/.exec(html)?.[1] ?? '');
const receiptLinkIn = (html: string) => /<p class="notice" id="receipt-link">[\s\S]*?<a href="(\/receipts\/[A-Za-z0-9_-]+)">/.exec(html)?.[1];
const codeIn = (link: string) => /[?&]via=([A-Za-z0-9_-]{12})(?:&|$)/.exec(link)?.[1];

describe('personal share codes', () => {
  let slug: string;
  let petitionId: string;
  let receipt: string;
  let code: string;
  const recruits: { email: string; token: string }[] = [];

  before(async () => {
    slug = (await givenPetition(stack)).slug;
    petitionId = await petitionIdOf(stack.database.connection, slug);
  });

  test('when a signer confirms, then the thank-you page and the receipt show a personal link with `via`, carried by every share link, and 0 people so far', async () => {
    const { thanks } = await signAndConfirm(slug, `/petitions/${slug}`);
    const link = copiedLink(thanks.html);
    code = codeIn(link) ?? '';
    receipt = receiptLinkIn(thanks.html) ?? '';
    assert.match(link, new RegExp(`^https?://[^/]+/petitions/${slug}\\?ref=copy&via=[A-Za-z0-9_-]{12}$`), 'the copy field holds the personal link');
    assert.equal(personalCount(thanks.html), '0 people signed through your link');
    const page = await aWebClient(stack.baseUrl).get(receipt);
    assert.equal(page.status, 200);
    assert.equal(codeIn(copiedLink(page.html)), code, 'the receipt shows the same code as the thank-you page');
    const whatsapp = unescape(/href="(https:\/\/wa\.me\/[^"]+)"/.exec(page.html)?.[1] ?? '');
    assert.match(decodeURIComponent(whatsapp), new RegExp(`\\?ref=whatsapp&via=${code}$`), 'a network link carries the channel and the code');
  });

  test('when two people sign through the link and confirm, then the receipt says 2', async () => {
    for (let i = 0; i < 2; i += 1) {
      const { token, signer } = await signAndConfirm(slug, `/petitions/${slug}?ref=whatsapp&via=${code}`);
      recruits.push({ email: signer.email as string, token });
    }
    const page = await aWebClient(stack.baseUrl).get(receipt);
    assert.equal(personalCount(page.html), '2 people signed through your link');
  });

  test('when a confirmation is sent again, then it is not counted twice', async () => {
    const again = await postJson(`${stack.baseUrl}/api/v1/confirm/${recruits[0]!.token}`, {});
    assert.equal(again.status, 200);
    assert.equal(await stack.services.shareCodes.countOf(code), 2);
  });

  test('when the code is carried to another petition, then the signature there is counted but not for the code', async () => {
    const other = (await givenPetition(stack)).slug;
    await signAndConfirm(other, `/petitions/${other}?via=${code}`);
    assert.equal(await stack.services.shareCodes.countOf(code), 2);
    assert.equal((await stack.services.tallies.read(await petitionIdOf(stack.database.connection, other), { fresh: true })).confirmed, 1);
  });

  test('when a confirmation is cut short after its count landed and recovery finishes it (twice), then the link counts it once and keeps no mark', async () => {
    const client = aWebClient(stack.baseUrl);
    const signer = aSigner();
    await signFrom(client, slug, `/petitions/${slug}?via=${code}`, signer);
    await tokenFor(signer.email as string);
    const email = normaliseEmail(signer.email as string);
    assert.ok(email.ok);
    const id = signatureId(petitionId, stack.services.protector.emailHash(email.canonical));
    const signature = await raw('signatures').findOne<{ _id: string; status: string }>({ _id: id as never });
    assert.equal(signature?.status, 'pending');
    // What the live step stored before the crash: the signature confirmed and claimed, the link's +1 with its mark, the entry still open.
    const via = createViaCounting({ protector: stack.services.protector, shareCodes: stack.services.shareCodes });
    const at = new Date(Date.now() - 60_000);
    const entry = { id: newIntentId(), kind: 'confirm' as const, petitionId, signatureId: id, changes: {}, at, share: via.seal(id, code) };
    await raw('signatures').updateOne({ _id: id as never }, { $set: { status: 'confirmed', confirmedAt: at, confirmedBy: entry.id } });
    await raw('signature_confirmations').insertOne({ _id: id as never, at, intent: entry.id });
    await via.credit(entry);
    await raw('signature_journal').insertOne({ _id: entry.id as never, kind: 'confirm', petitionId, signatureId: id, changes: [], at, share: entry.share });

    await stack.services.recovery.run(new Date());
    await stack.services.recovery.run(new Date());
    assert.equal(await stack.services.shareCodes.countOf(code), 3);
    const marks = async () => (await raw('share_codes').findOne<{ marks?: string[] }>({ _id: code as never }))?.marks ?? [];
    for (let i = 0; i < 100 && (await marks()).length > 0; i += 1) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(await marks(), [], 'the mark goes once the entry is closed');
  });

  test('when a signature that came through the link is invalidated, then the count goes down, and back up when restored', async () => {
    const email = recruits[1]!.email;
    const { count } = await stack.services.moderation.preview(slug, { email }, { actor: 'test' });
    const outcome = await stack.services.moderation.invalidate(slug, { email }, { expected: count, actor: 'test' });
    assert.equal(outcome.status, 'done');
    assert.equal(personalCount((await aWebClient(stack.baseUrl).get(receipt)).html), '2 people signed through your link');
    await stack.services.moderation.restore(slug, (outcome as { runId: string }).runId, { actor: 'test' });
    assert.equal(await stack.services.shareCodes.countOf(code), 3);
  });

  test('when `via` is malformed, then signing is refused naming the field, on the API and the form', async () => {
    const api = await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, { ...aSigner(), via: 'not a code!' });
    assert.equal(api.status, 422);
    const invalid = stack.services.i18n.t('en', 'errors.field.via_invalid');
    assert.deepEqual((api.body as { error: { fields: Record<string, string> } }).error.fields, { via: invalid });
    const client = aWebClient(stack.baseUrl);
    const page = await client.get(`/petitions/${slug}`);
    const form = await client.post(`/petitions/${slug}/sign`, { _csrf: fieldValue(page.html, '_csrf')!, started: fieldValue(page.html, 'started')!, website: '', ...asForm(aSigner()), via: 'short' });
    assert.equal(form.status, 422);
    assert.match(form.html, /<a href="#via">This personal link is not valid/);
  });

  test('when the raw collections are read, then nothing plain links the sharer to the people they brought', async () => {
    const codes = await raw('share_codes').find({}).toArray();
    assert.deepEqual(codes.map((d) => Object.keys(d).sort()), [['_id', 'count', 'marks', 'petitionId']], 'a counter holds its code, petition, count and no mark once counted');
    const ids = new Set((await raw('signatures').find({}, { projection: { _id: 1, emailHash: 1 } }).toArray()).flatMap((s) => [String(s._id), String(s.emailHash)]));
    const named = JSON.stringify(codes);
    assert.deepEqual([...ids].filter((id) => named.includes(id.split(':').pop()!)), [], 'no counter names a signature');
    const plain: string[] = [];
    for (const name of ['signatures', 'confirm_tokens', 'signature_journal', 'signature_confirmations', 'outbox', 'tallies']) {
      for (const doc of await raw(name).find({}).toArray()) if (JSON.stringify(doc).includes(code)) plain.push(`${name}:${String(doc._id)}`);
    }
    assert.deepEqual(plain, [], 'the code appears in plain nowhere but its own counter');
  });

  test('when organisers and analysts look at the dashboard, then they see the top links by label and count, never a code', async () => {
    for (const role of ['organiser', 'analyst'] as const) {
      const client = await signedIn(stack, role);
      const page = await client.get(`/admin/petitions/${slug}`);
      const table = /<table class="data" id="top-codes">([\s\S]*?)<\/table>/.exec(page.html)?.[1] ?? '';
      assert.match(table, new RegExp(`<code>${shareCodeLabel(code)}</code></td><td class="num">3</td>`), `${role}: the table lists the link's label and count`);
      assert.ok(!page.html.includes(code), `${role}: the page does not show the code`);
      const api = await client.get(`/admin/api/petitions/${slug}/dashboard`);
      const { topCodes } = JSON.parse(api.html) as { topCodes: unknown };
      assert.deepEqual(topCodes, [{ label: shareCodeLabel(code), count: 3 }], `${role}: the JSON API`);
      assert.ok(!api.html.includes(code), `${role}: the JSON does not hold the code`);
    }
  });
});
