import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newIntentId } from '../server/signatures/signature-journal-repository.js';
import { withdrawalChanges } from '../server/signatures/signature-withdrawal.js';
import { createViaCounting } from '../server/signatures/via-counting.js';
import { asForm, aSigner, givenDelivery, givenPetition } from './helpers/builders.js';
import { petitionIdOf } from './helpers/export-signatures.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { stackPerFile, type Stack } from './helpers/stack.js';
import { countersOf } from './helpers/tally.js';
import { aWebClient, fieldValue, tagWithId, textOf, type WebClient } from './helpers/web-client.js';

let stack: Stack;
stackPerFile((started) => (stack = started));

const raw = (name: string) => stack.database.connection.collection(name);

/** Signs from `path` (its query kept in the form's hidden fields) and confirms through the emailed link; returns the receipt link. */
async function signAndConfirm(slug: string, path: string, signer: Record<string, unknown>, beforeConfirm = async () => {}): Promise<{ receipt: string; code: string | undefined }> {
  const client = aWebClient(stack.baseUrl);
  const page = await client.get(path);
  const hidden = Object.fromEntries(['_csrf', 'started', 'ref', 'referrer', 'via'].map((f) => [f, fieldValue(page.html, f) ?? '']));
  const signed = await client.post(`/petitions/${slug}/sign`, { ...hidden, website: '', ...asForm(signer) });
  assert.equal(signed.status, 303, `signing answered ${signed.status}`);
  const email = signer.email as string;
  const sent = stack.smtp.to(email).length;
  await stack.smtp.waitFor(() => stack.smtp.to(email).length > sent);
  const token = confirmTokenFrom(stack.smtp.to(email).at(-1)!);
  await beforeConfirm();
  const confirmPage = await client.get(`/confirm/${token}`);
  const confirmed = await client.post(`/confirm/${token}`, { _csrf: fieldValue(confirmPage.html, '_csrf')! });
  assert.equal(confirmed.status, 303);
  const thanks = await client.get(confirmed.location!);
  const receipt = /<p class="notice" id="receipt-link">[\s\S]*?<a href="(\/receipts\/[A-Za-z0-9_-]+)">/.exec(thanks.html)?.[1];
  assert.ok(receipt, 'the thank-you page links to the receipt');
  return { receipt, code: /[?&;]via(?:=|&#x3D;)([A-Za-z0-9_-]{12})/.exec(thanks.html)?.[1] };
}

const tallyOf = (petitionId: string) => countersOf(stack, petitionId);

const difference = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries([...new Set([...Object.keys(before), ...Object.keys(after)])].flatMap((k) => ((after[k] ?? 0) !== (before[k] ?? 0) ? [[k, (after[k] ?? 0) - (before[k] ?? 0)]] : [])));

/** Counts are written after the answer, under journal entries: settled once the journal is empty. */
async function settled(): Promise<void> {
  for (let i = 0; i < 200 && (await raw('signature_journal').countDocuments()) > 0; i++) await new Promise((r) => setTimeout(r, 25));
}

/** Opens the receipt page and submits one of its forms (by id) as a person would, with its hidden fields. */
async function postForm(client: WebClient, page: string, formId: string) {
  const html = (await client.get(page)).html;
  const form = new RegExp(`<form[^>]*id="${formId}"[^>]*>[^]*?</form>`).exec(html)?.[0];
  assert.ok(form, `the page has form ${formId}`);
  const fields = Object.fromEntries([...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1]!, m[2]!]));
  return client.post(/action="([^"]+)"/.exec(form)![1]!, fields);
}

describe('a signer withdraws their signature', () => {
  test('when a confirmed signer who came through a personal link and a ref code withdraws, then every counter they were in drops by one, once, and counts equal a recount', async () => {
    const petition = await givenPetition(stack);
    const petitionId = await petitionIdOf(stack.database.connection, petition.slug);
    const sharer = await signAndConfirm(petition.slug, `/petitions/${petition.slug}`, aSigner());
    assert.ok(sharer.code, 'the sharer has a personal code');
    const signer = aSigner({ country: 'FR' });
    const { receipt } = await signAndConfirm(petition.slug, `/petitions/${petition.slug}?via=${sharer.code}&ref=radio`, signer);
    await settled();
    const before = await tallyOf(petitionId);
    const sharedBefore = await stack.services.shareCodes.countOf(sharer.code);
    assert.equal(sharedBefore, 1);

    const client = aWebClient(stack.baseUrl);
    const confirmPage = await client.get(`${receipt}/withdraw`);
    assert.equal(confirmPage.status, 200);
    const csrf = fieldValue(confirmPage.html, '_csrf')!;
    // Twice at once and once more: a double click and a retry.
    const answers = await Promise.all([client.post(`${receipt}/withdraw`, { _csrf: csrf }), client.post(`${receipt}/withdraw`, { _csrf: csrf })]);
    answers.push(await client.post(`${receipt}/withdraw`, { _csrf: csrf }));
    assert.deepEqual(answers.map((a) => [a.status, a.location]), Array(3).fill([303, receipt]));
    await settled();

    const day = new Date().toISOString().slice(0, 10);
    assert.deepEqual(difference(before, await tallyOf(petitionId)), { 'counts.FR': -1, [`daily.${day}`]: -1, 'refs.radio': -1 });
    assert.equal(await stack.services.shareCodes.countOf(sharer.code), sharedBefore - 1, 'the personal link counts one fewer');
    assert.deepEqual((await stack.services.recount({ fix: false })).drift, [], 'the maintained counts equal a recount');

    const page = await aWebClient(stack.baseUrl).get(receipt);
    assert.equal(page.status, 200);
    assert.match(textOf(page.html, /<p id="receipt-withdrawn">/) ?? '', /^You withdrew your signature on “Release the detained” on /);
    for (const gone of [signer.email as string, signer.firstName as string, 'France']) assert.ok(!page.html.includes(gone), `${gone} on the withdrawn receipt`);
    const stored = await raw('signatures').find({ petitionId: new (await import('mongoose')).Types.ObjectId(petitionId) }).toArray();
    assert.equal(stored.length, 1, 'only the sharer is left');

    const again = await signAndConfirm(petition.slug, `/petitions/${petition.slug}`, signer);
    await settled();
    assert.equal(textOf((await aWebClient(stack.baseUrl).get(again.receipt)).html, /<dd id="receipt-status">/), 'Counted', 'the address signed again as a new signature');
    assert.deepEqual((await stack.services.recount({ fix: false })).drift, []);
  });

  test('when a signature was in a delivered packet, then the packet stays delivered and the withdrawn receipt says so', async () => {
    const petition = await givenPetition(stack);
    const { receipt } = await signAndConfirm(petition.slug, `/petitions/${petition.slug}`, aSigner());
    const { packet } = await givenDelivery(stack, petition.slug, { city: 'London', country: 'GB', deliveredAt: '2025-03-14' });

    const client = aWebClient(stack.baseUrl);
    const confirmPage = await client.get(`${receipt}/withdraw`);
    assert.ok(tagWithId(confirmPage.html, 'withdraw-delivered'), 'the confirmation step warns that a delivered packet stays');
    await client.post(`${receipt}/withdraw`, { _csrf: fieldValue(confirmPage.html, '_csrf')! });

    const page = await client.get(receipt);
    assert.match(page.html, new RegExp(`handed over in packet ${packet.id}\\. That packet stays as delivered\\.`));
    assert.match(page.html, /Handed over in London, United Kingdom, on March 14, 2025/);
    assert.equal((await stack.services.packets.find(packet.id))?.root, packet.root, 'the packet and its Merkle root are untouched');
  });
});

describe('emails queued for a signer who withdraws', () => {
  test('when a counted email and an update are queued and the signer then withdraws, then neither reaches them while another signer gets both', async () => {
    const petition = await givenPetition(stack);
    const [stays, leaves] = [aSigner({ updates: true }), aSigner({ updates: true })];
    await signAndConfirm(petition.slug, `/petitions/${petition.slug}`, stays);
    await stack.smtp.waitFor(() => stack.smtp.to(stays.email as string).length === 2);
    // The worker stops before the confirmation that queues the "counted" email, and stays stopped until the withdrawal.
    const { receipt } = await signAndConfirm(petition.slug, `/petitions/${petition.slug}`, leaves, () => stack.services.mailWorker.stop());
    try {
      const { organiserUpdates } = stack.services;
      const found = await organiserUpdates.petitionFor(petition.slug);
      const update = await organiserUpdates.saveDraft(found, undefined, { title: 'Handed over in Lima', body: 'We were there.' }, 'organiser@example.org');
      await organiserUpdates.send(found, update, 'organiser@example.org');
      await organiserUpdates.settle();
      const client = aWebClient(stack.baseUrl);
      const confirmPage = await client.get(`${receipt}/withdraw`);
      assert.equal((await client.post(`${receipt}/withdraw`, { _csrf: fieldValue(confirmPage.html, '_csrf')! })).status, 303);
    } finally {
      stack.services.mailWorker.start();
    }
    await stack.smtp.waitFor(() => stack.smtp.to(stays.email as string).some((m) => m.subject.includes('Handed over in Lima')));
    for (let i = 0; i < 200 && (await raw('outbox_bulk').countDocuments()) > 0; i++) await new Promise((r) => setTimeout(r, 25));
    assert.deepEqual(
      stack.smtp.to(leaves.email as string).map((m) => m.subject),
      [stack.smtp.to(leaves.email as string)[0]!.subject],
      'the withdrawn signer got only the confirmation link sent before',
    );
  });
});

describe('a withdrawal cut short', () => {
  test('when a crash leaves a withdrawal claimed but neither erased nor counted, then recovery finishes it once and counts equal a recount', async () => {
    const petition = await givenPetition(stack);
    const petitionId = await petitionIdOf(stack.database.connection, petition.slug);
    const sharer = await signAndConfirm(petition.slug, `/petitions/${petition.slug}`, aSigner());
    const { receipt } = await signAndConfirm(petition.slug, `/petitions/${petition.slug}?via=${sharer.code!}`, aSigner({ country: 'DE' }));
    await settled();
    const id = stack.services.receiptTokens.read(receipt.slice('/receipts/'.length))!;
    const stored = (await raw('signatures').findOne({ _id: id as never }))!;
    const before = await tallyOf(petitionId);

    // What the first two writes of a withdrawal leave: its journal entry and its claim.
    const via = createViaCounting({ protector: stack.services.protector, shareCodes: stack.services.shareCodes });
    const at = new Date(Date.now() - 60_000);
    const intent = newIntentId();
    const changes = withdrawalChanges({ status: 'confirmed', invalidatedFrom: null, source: 'online', country: 'DE', ref: null, referrer: null, createdAt: stored.createdAt as Date, confirmedAt: stored.confirmedAt as Date, collectedAt: null });
    await raw('signature_journal').insertOne({ _id: intent as never, kind: 'withdraw', petitionId, signatureId: id, changes: Object.entries(changes).map(([field, by]) => ({ field, by })), at, share: via.seal(id, sharer.code!, -1) });
    await raw('signature_withdrawals').insertOne({ _id: id as never, petitionId, signedAt: stored.createdAt, at, intent, delivered: [] });

    const first = await stack.services.recovery.run(new Date());
    const second = await stack.services.recovery.run(new Date());
    assert.deepEqual([first.counted, second.counted], [1, 0], 'counted once');
    const confirmedDay = (stored.confirmedAt as Date).toISOString().slice(0, 10);
    assert.deepEqual(difference(before, await tallyOf(petitionId)), { 'counts.DE': -1, [`daily.${confirmedDay}`]: -1 });
    assert.equal(await stack.services.shareCodes.countOf(sharer.code!), 0);
    assert.equal(await raw('signatures').countDocuments({ _id: id as never }), 0, 'the signature is erased');
    assert.deepEqual((await stack.services.recount({ fix: false })).drift, []);
    assert.match((await aWebClient(stack.baseUrl).get(receipt)).html, /You withdrew your signature/);
  });
});

describe('a signer manages their signature', () => {
  test('when a signer hides their name, then a new packet lists them by country only while the earlier one keeps their name', async () => {
    const petition = await givenPetition(stack);
    const petitionId = await petitionIdOf(stack.database.connection, petition.slug);
    await stack.services.targets.create(petitionId, { name: 'Embassy', recipientName: '', recipientTitle: 'Ambassador', city: 'London', country: 'GB', address: '1 Road', language: 'en', plannedAt: '', notes: '' }, 'test');
    const { receipt } = await signAndConfirm(petition.slug, `/petitions/${petition.slug}`, aSigner({ firstName: 'Ayşe', lastName: 'Yılmaz' }));
    const generate = () => stack.services.packets.generate({ slug: petition.slug, target: 'London', names: 'full' }, 'test@example.org', () => Promise.resolve());
    const first = await generate();

    const client = aWebClient(stack.baseUrl);
    const hidden = await postForm(client, receipt, 'name-form');
    assert.equal(hidden.location, `${receipt}?saved=name`, `${hidden.status} ${hidden.html.slice(0, 300)}`);
    const second = await generate();

    const page = await client.get(`${receipt}?saved=name`);
    assert.match(page.html, /Packets made from now on follow your choice/);
    const card = (id: string) => new RegExp(`<li class="card" id="packet-${id}">[^]*?</li>`).exec(page.html)?.[0] ?? '';
    assert.match(card(first.id), /Your signature is in this packet\. It is listed as “Ayşe Yılmaz”\./, 'the earlier packet keeps its entry');
    assert.match(card(second.id), /Your signature is in this packet\. It is listed by country only, without your name\./);
    assert.equal(textOf(page.html, /<dd id="receipt-name">/), 'Not shown: you are listed by country only');
  });

  test('when a signer downloads their data, then it holds their details, share code and choices and nothing of another signer', async () => {
    const petition = await givenPetition(stack);
    const other = aSigner({ firstName: 'Qurbanjan', lastName: 'Nasir', postcode: 'ZZ9 9ZZ' });
    await signAndConfirm(petition.slug, `/petitions/${petition.slug}`, other);
    const signer = aSigner({ firstName: 'Gulnar', lastName: 'Abdulla', postcode: 'SW1A 1AA', comment: 'a private comment', country: 'FR', updates: 'on' });
    const { receipt, code } = await signAndConfirm(petition.slug, `/petitions/${petition.slug}`, signer);

    const client = aWebClient(stack.baseUrl);
    const res = await postForm(client, receipt, 'data-form');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-disposition') ?? '', /^attachment; filename="?handover-my-signature-/);
    assert.equal(res.headers.get('cache-control'), 'private, no-store');
    const data = JSON.parse(res.html) as Record<string, unknown>;
    assert.deepEqual(data.details, { firstName: 'Gulnar', lastName: 'Abdulla', email: signer.email, postcode: 'SW1A 1AA', comment: 'a private comment' });
    assert.equal(data.country, 'FR');
    assert.equal(data.status, 'confirmed');
    assert.equal(data.language, 'en');
    assert.deepEqual(data.consent, { updates: true, hideName: false });
    assert.deepEqual(data.shareCode, { code, count: 0 });
    for (const theirs of ['Qurbanjan', 'Nasir', 'ZZ9', other.email as string]) assert.ok(!res.html.includes(theirs), `${theirs} in the download`);

    const stopped = await postForm(client, receipt, 'updates-form');
    assert.equal(stopped.status, 303);
    const after = await client.get(stopped.location!);
    assert.match(after.html, /you will get no more updates about this petition/);
    assert.ok(tagWithId(after.html, 'updates-off'), 'the receipt says updates are off');
  });

  test('when a link is not a receipt, or a form comes without its CSRF token, then the answer names the problem and changes nothing', async () => {
    const petition = await givenPetition(stack);
    const { receipt } = await signAndConfirm(petition.slug, `/petitions/${petition.slug}`, aSigner());
    const client = aWebClient(stack.baseUrl);
    const page = await client.get(receipt);
    const csrf = fieldValue(page.html, '_csrf')!;
    const bad = `/receipts/${'A'.repeat(60)}`;
    for (const action of ['withdraw', 'name', 'updates', 'data']) {
      const res = await client.post(`${bad}/${action}`, { _csrf: csrf, hideName: 'yes' });
      assert.equal(res.status, 404, `${action}: ${res.status}`);
      assert.match(res.html, /This receipt link is not valid/, action);
    }
    assert.equal((await client.get(`${bad}/withdraw`)).status, 404);

    const forged = await client.post(`${receipt}/withdraw`, { _csrf: 'forged' });
    assert.equal(forged.status, 403);
    assert.match(forged.html, /Your form expired/);
    const stranger = await aWebClient(stack.baseUrl).post(`${receipt}/name`, { hideName: 'yes' });
    assert.equal(stranger.status, 403);
    const nonsense = await client.post(`${receipt}/name`, { _csrf: csrf, hideName: 'maybe' });
    assert.equal(nonsense.status, 422);
    assert.equal(textOf((await client.get(receipt)).html, /<dd id="receipt-status">/), 'Counted', 'the signature is untouched');
  });
});
