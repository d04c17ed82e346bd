import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { leafOf } from '../server/packets/packet-record.js';
import { createReceiptTokens } from '../server/receipts/receipt-token.js';
import type { MerkleReceipt } from '../server/packets/packet-types.js';
import { normaliseEmail } from '../server/signatures/email-normaliser.js';
import { signatureId } from '../server/signatures/signature-repository.js';
import { asForm, aSigner, givenPetition, postJson } from './helpers/builders.js';
import { petitionIdOf } from './helpers/export-signatures.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { stackPerFile, type Stack } from './helpers/stack.js';
import { attribute, aWebClient, fieldValue, tagWithId, textOf, type WebClient } from './helpers/web-client.js';

let stack: Stack;
stackPerFile((started) => (stack = started));


async function signWithForm(client: WebClient, slug: string, signer: Record<string, unknown>) {
  const page = await client.get(`/petitions/${slug}`);
  return client.post(`/petitions/${slug}/sign`, { _csrf: fieldValue(page.html, '_csrf')!, started: fieldValue(page.html, 'started')!, website: '', ...asForm(signer) });
}

/** Signs, then confirms through the link in the email as a person would; returns the thank-you page. */
async function signAndConfirm(client: WebClient, slug: string, signer: Record<string, unknown>) {
  await signWithForm(client, slug, signer);
  const email = signer.email as string;
  await stack.smtp.waitFor(() => stack.smtp.to(email).length >= 1);
  const token = confirmTokenFrom(stack.smtp.to(email)[0]!);
  const confirmPage = await client.get(`/confirm/${token}`);
  const confirmed = await client.post(`/confirm/${token}`, { _csrf: fieldValue(confirmPage.html, '_csrf')! });
  assert.equal(confirmed.status, 303);
  return { confirmed, thanks: await client.get(confirmed.location!) };
}

const receiptLinkIn = (html: string) => /<p class="notice" id="receipt-link">[\s\S]*?<a href="(\/receipts\/[A-Za-z0-9_-]+)">/.exec(html)?.[1];

async function confirmedReceipt(slug: string, signer: Record<string, unknown>): Promise<string> {
  const { thanks } = await signAndConfirm(aWebClient(stack.baseUrl), slug, signer);
  const link = receiptLinkIn(thanks.html);
  assert.ok(link, 'the thank-you page links to the receipt');
  return link;
}

async function givenTarget(slug: string) {
  const petitionId = await petitionIdOf(stack.database.connection, slug);
  const target = await stack.services.targets.create(
    petitionId,
    { name: 'Embassy of Somewhere, London', recipientName: 'A. Ambassador', recipientTitle: 'Ambassador', city: 'London', country: 'GB', address: '1 Road', language: 'en', plannedAt: '', notes: '' },
    'test',
  );
  return { petitionId, target };
}

const generate = (slug: string, names = 'full') => stack.services.packets.generate({ slug, target: 'London', names }, 'test@example.org', () => Promise.resolve());
const deliver = (targetId: string, packetId: string) =>
  stack.services.targets.markDelivered(targetId, { deliveredAt: '2025-03-14', deliveredBy: 'Campaign team', notes: '', packetId, photoPublic: '' }, null, 'test');

async function download(link: string, packetId: string): Promise<{ receipt: MerkleReceipt; headers: Headers; text: string }> {
  const res = await fetch(`${stack.baseUrl}${link}/packets/${packetId}.json`);
  assert.equal(res.status, 200);
  const text = await res.text();
  return { receipt: JSON.parse(text) as MerkleReceipt, headers: res.headers, text };
}

/** Pastes a receipt into /verify as a person would; returns the page. */
async function verifyOnPage(receipt: unknown) {
  const client = aWebClient(stack.baseUrl);
  const form = await client.get('/verify');
  assert.equal(form.status, 200);
  const text = typeof receipt === 'string' ? receipt : JSON.stringify(receipt, null, 2);
  return client.post('/verify', { _csrf: fieldValue(form.html, '_csrf')!, receipt: text });
}

const outcomeOf = (html: string) => attribute(tagWithId(html, 'verify-outcome'), 'data-outcome');
const hex32 = () => randomBytes(32).toString('hex');

describe('receipts for signers', () => {
  test('when a signer confirms through the emailed link, then the thank-you page links to a private receipt showing the status', async () => {
    const petition = await givenPetition(stack, { title: 'Free the writers' });
    const signer = aSigner({ firstName: 'Gulnar', lastName: 'Abdulla', country: 'FR', postcode: 'SW1A 1AA', comment: 'a private comment' });
    const { confirmed, thanks } = await signAndConfirm(aWebClient(stack.baseUrl), petition.slug, signer);

    assert.equal(confirmed.location, `/petitions/${petition.slug}/thanks?confirmed=1`, 'the receipt is not in the address people copy to share');
    const cookie = confirmed.headers.getSetCookie().find((c) => c.startsWith('hv_receipt='));
    assert.match(cookie ?? '', new RegExp(`Path=/petitions/${petition.slug}/thanks`, 'i'));
    assert.match(cookie ?? '', /HttpOnly/i);
    const link = receiptLinkIn(thanks.html);
    assert.ok(link, 'the thank-you page links to the receipt');

    const page = await aWebClient(stack.baseUrl).get(link);
    assert.equal(page.status, 200);
    assert.equal(page.headers.get('cache-control'), 'private, no-store');
    assert.match(page.headers.get('x-robots-tag') ?? '', /noindex/);
    assert.match(page.html, /Free the writers/);
    assert.equal(textOf(page.html, /<dd id="receipt-status">/), 'Counted');
    assert.equal(textOf(page.html, /<dd id="receipt-name">/), 'Gulnar Abdulla');
    assert.equal(textOf(page.html, /<dd id="receipt-country">/), 'France');
    assert.match(page.html, /No delivery packet has been made/);
    for (const secret of [signer.email as string, 'SW1A', 'a private comment']) assert.ok(!page.html.includes(secret), `${secret} on the receipt`);
  });

  test('when a person only signs, then no page they see, new email or repeat, contains a receipt link', async () => {
    const direct = await givenPetition(stack, { verification: 'none' });
    const signer = aSigner();
    const pages: Awaited<ReturnType<WebClient['get']>>[] = [];
    for (const attempt of ['new', 'repeat']) {
      const client = aWebClient(stack.baseUrl);
      const signed = await signWithForm(client, direct.slug, signer);
      assert.equal(signed.location, `/petitions/${direct.slug}/thanks`, attempt);
      pages.push(await client.get(signed.location));
    }
    const checked = await givenPetition(stack);
    const client = aWebClient(stack.baseUrl);
    const signed = await signWithForm(client, checked.slug, aSigner());
    pages.push(await client.get(signed.location ?? ''), await client.get(`/petitions/${checked.slug}/thanks?confirmed=1`));

    for (const page of pages) {
      assert.equal(page.status, 200);
      assert.doesNotMatch(page.html, /\/receipts\//);
    }
    assert.equal(pages[0]!.html.replace(/value="[^"]*"/g, ''), pages[1]!.html.replace(/value="[^"]*"/g, ''), 'a repeat signature gets the same page');
  });

  test('when a signer has not confirmed yet, then their receipt says so', async () => {
    const petition = await givenPetition(stack);
    const signer = aSigner();
    await signWithForm(aWebClient(stack.baseUrl), petition.slug, signer);
    const petitionId = await petitionIdOf(stack.database.connection, petition.slug);
    const canonical = normaliseEmail(signer.email as string);
    assert.ok(canonical.ok);
    const token = stack.services.receiptTokens.issue(signatureId(petitionId, stack.services.protector.emailHash(canonical.canonical)));

    const page = await aWebClient(stack.baseUrl).get(`/receipts/${token}`);
    assert.equal(page.status, 200);
    assert.equal(textOf(page.html, /<dd id="receipt-status">/), 'Waiting for you to confirm your email address');
  });

  test('when a receipt link is garbled, altered or names no signature, then a 404 page answers', async () => {
    const petition = await givenPetition(stack);
    const link = await confirmedReceipt(petition.slug, aSigner());
    const token = link.slice('/receipts/'.length);
    const altered = `${token.slice(0, 20)}${token[20] === 'A' ? 'B' : 'A'}${token.slice(21)}`;
    const nobody = stack.services.receiptTokens.issue(`${'0'.repeat(24)}:nobody`);
    const otherPurpose = createReceiptTokens(stack.services.protector, 'unsubscribe').issue(stack.services.receiptTokens.read(token)!);

    for (const path of ['/receipts/garbled', `/receipts/${'A'.repeat(60)}`, `/receipts/${altered}`, `/receipts/${nobody}`, `/receipts/${otherPurpose}`, `/receipts/${altered}/packets/pk_0.json`]) {
      const page = await aWebClient(stack.baseUrl).get(path);
      assert.equal(page.status, 404, path);
      assert.match(page.html, /This receipt link is not valid/, path);
    }
  });

  test('when a signer hid their name, then the receipt shows no name', async () => {
    const petition = await givenPetition(stack);
    const link = await confirmedReceipt(petition.slug, aSigner({ firstName: 'Qurbanjan', lastName: 'Nasir', hideName: 'on' }));

    const page = await aWebClient(stack.baseUrl).get(link);
    assert.equal(textOf(page.html, /<dd id="receipt-name">/), 'Not shown: you are listed by country only');
    assert.doesNotMatch(page.html, /Qurbanjan|Nasir/);
  });
});

describe('receipts once packets are made and delivered', () => {
  test('when a packet is generated and its target delivered, then the receipt shows the packet, city and date, and its proof verifies', async () => {
    const petition = await givenPetition(stack);
    const { target } = await givenTarget(petition.slug);
    const link = await confirmedReceipt(petition.slug, aSigner({ firstName: 'Ayşe', lastName: 'Yılmaz', country: 'TR' }));
    await confirmedReceipt(petition.slug, aSigner());
    const packet = await generate(petition.slug);

    const before = await aWebClient(stack.baseUrl).get(link);
    const card = tagWithId(before.html, `packet-${packet.id}`);
    assert.ok(card, 'the receipt lists the packet');
    assert.match(before.html, /Your signature is in this packet\. It is listed as “Ayşe Yılmaz”\./);
    assert.match(before.html, /This packet has not been handed over yet\./);
    const early = await download(link, packet.id);
    assert.equal(outcomeOf((await verifyOnPage(early.receipt)).html), 'not_published');

    await deliver(target.id, packet.id);
    const after = await aWebClient(stack.baseUrl).get(link);
    assert.match(after.html, /Handed over in London, United Kingdom, on March 14, 2025, to A\. Ambassador, Ambassador, Embassy of Somewhere, London\./);

    const { receipt, headers, text } = await download(link, packet.id);
    assert.match(headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="?handover-receipt-${packet.id}\\.json"?$`));
    assert.equal(headers.get('cache-control'), 'private, no-store');
    assert.deepEqual(receipt.record, { country: 'TR', name: 'Ayşe Yılmaz' });
    assert.equal(receipt.root, packet.root);
    assert.equal(receipt.treeSize, 2);
    assert.doesNotMatch(text, /@example\.org|Mihrigul/, 'nothing about the signer beyond the record, nothing about others');

    const verified = await verifyOnPage(receipt);
    assert.equal(verified.status, 200);
    assert.equal(outcomeOf(verified.html), 'valid');
    assert.match(verified.html, /Handed over in London, United Kingdom, on March 14, 2025/);
    const api = await postJson(`${stack.baseUrl}/api/v1/verify`, receipt);
    assert.equal(api.status, 200, api.text);
    assert.deepEqual(api.body, {
      outcome: 'valid',
      packetId: packet.id,
      deliveries: [{ city: 'London', country: 'GB', place: 'Embassy of Somewhere, London', recipient: 'A. Ambassador, Ambassador', deliveredAt: '2025-03-14T00:00:00.000Z' }],
    });
  });

  test('when a receipt is tampered with, names another root or an unknown packet, then /verify says which', async () => {
    const petition = await givenPetition(stack);
    const { target } = await givenTarget(petition.slug);
    const link = await confirmedReceipt(petition.slug, aSigner({ firstName: 'Jean', lastName: 'Dupont' }));
    await confirmedReceipt(petition.slug, aSigner());
    await confirmedReceipt(petition.slug, aSigner());
    const packet = await generate(petition.slug);
    await deliver(target.id, packet.id);
    const { receipt } = await download(link, packet.id);

    const renamed = { ...receipt, record: { ...receipt.record, name: 'Someone Else' } };
    // One sibling hash altered (reversing the path would be a no-op when it has a single entry).
    const altered = { ...receipt, proof: receipt.proof.map((h, i) => (i === 0 ? `${h[0] === '0' ? '1' : '0'}${h.slice(1)}` : h)) };
    // Self-consistent, but not this packet's tree: a one-leaf tree whose root is its own leaf.
    const salt = hex32();
    const forged = { ...receipt, salt, leafIndex: 0, treeSize: 1, proof: [], root: leafOf(receipt.record, Buffer.from(salt, 'hex')).toString('hex') };
    const elsewhere = { ...receipt, packetId: 'pk_00000000000000000000' };

    for (const [input, outcome] of [[renamed, 'tampered'], [altered, 'tampered'], [forged, 'wrong_root'], [elsewhere, 'unknown_packet'], [receipt, 'valid']] as const) {
      const page = await verifyOnPage(input);
      assert.equal(page.status, 200);
      assert.equal(outcomeOf(page.html), outcome, JSON.stringify(input));
      const api = await postJson(`${stack.baseUrl}/api/v1/verify`, input);
      assert.equal((api.body as { outcome: string }).outcome, outcome);
    }
    assert.match((await verifyOnPage(forged)).html, /Wrong root/);
    assert.match((await verifyOnPage(renamed)).html, /Tampered/);
  });

  test('when a signer hid their name, then their packet entry and proof carry no name', async () => {
    const petition = await givenPetition(stack);
    await givenTarget(petition.slug);
    const link = await confirmedReceipt(petition.slug, aSigner({ firstName: 'Qurbanjan', lastName: 'Nasir', hideName: 'on' }));
    const packet = await generate(petition.slug);

    const page = await aWebClient(stack.baseUrl).get(link);
    assert.match(page.html, /It is listed by country only, without your name\./);
    const { receipt, text } = await download(link, packet.id);
    assert.deepEqual(receipt.record, { country: 'GB', name: '' });
    assert.doesNotMatch(text + page.html, /Qurbanjan|Nasir/);
  });
});

describe('verifying malformed receipts', () => {
  const valid = () => ({ version: 1, packetId: 'pk_0123456789abcdef0123', record: { country: 'GB', name: 'A B' }, salt: hex32(), leafIndex: 0, treeSize: 1, proof: [], root: hex32() });

  test('when the pasted text is not JSON, then the form answers 422 and says so', async () => {
    const page = await verifyOnPage('{"version": 1, ');
    assert.equal(page.status, 422);
    assert.match(textOf(page.html, /<div class="error-summary" role="alert" id="verify-problems">/) ?? '', /This is not a valid receipt/);
    assert.match(page.html, /<code>receipt<\/code>: The receipt is not valid JSON\./);
    assert.equal(fieldValue(page.html, 'receipt'), '{"version": 1, ', 'what was pasted comes back');
  });

  test('when a receipt has the wrong shape, then the page and the API answer 422 naming each problem', async () => {
    const bad = { ...valid(), proof: ['xyz'], salt: undefined, leafIndex: 3 };
    const page = await verifyOnPage(bad);
    assert.equal(page.status, 422);
    assert.match(page.html, /<code>proof\[0\]<\/code>: Must be a SHA-256 hash: 64 hexadecimal characters\./);
    assert.match(page.html, /<code>salt<\/code>: This field is required\./);

    const api = await postJson(`${stack.baseUrl}/api/v1/verify`, bad);
    assert.equal(api.status, 422);
    const error = (api.body as { error: { code: string; fields: Record<string, string> } }).error;
    assert.equal(error.code, 'receipt_malformed');
    assert.deepEqual(Object.keys(error.fields).sort(), ['proof[0]', 'salt']);
    const outOfRange = await postJson(`${stack.baseUrl}/api/v1/verify`, { ...valid(), leafIndex: 1 });
    assert.deepEqual((outOfRange.body as { error: { fields: Record<string, string> } }).error.fields, { leafIndex: 'Must be smaller than treeSize.' });
    const notJson = await postJson(`${stack.baseUrl}/api/v1/verify`, 'nope', { 'content-type': 'text/plain' });
    assert.equal(notJson.status, 415);
  });

  test('when a receipt file is uploaded, then it is checked; a file over 64 kB is refused with 413', async () => {
    const client = aWebClient(stack.baseUrl);
    const upload = async (content: string) => {
      const form = await client.get('/verify');
      const body = new FormData();
      body.set('_csrf', fieldValue(form.html, '_csrf')!);
      body.set('receipt', '');
      body.set('file', new Blob([content], { type: 'application/json' }), 'receipt.json');
      const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      const res = await fetch(`${stack.baseUrl}/verify`, { method: 'POST', body, headers: { cookie } });
      return { status: res.status, html: await res.text() };
    };

    const checked = await upload(JSON.stringify({ ...valid(), packetId: 'pk_nothing' }));
    assert.equal(checked.status, 200);
    assert.equal(outcomeOf(checked.html), 'tampered');
    const big = await upload(' '.repeat(65 * 1024));
    assert.equal(big.status, 413);
    assert.match(big.html, /larger than 64 kB/);
  });
});
