import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { DeliveryTarget } from '../server/deliveries/target-types.js';
import { normaliseEmail } from '../server/signatures/email-normaliser.js';
import { signatureId } from '../server/signatures/signature-repository.js';
import { csrfFrom } from './helpers/admin.js';
import { aSigner, givenPetition, givenSigner, postJson, type Signer } from './helpers/builders.js';
import type { ReceivedMail } from './helpers/smtp.js';
import { startStack, type Stack } from './helpers/stack.js';
import { aWebClient } from './helpers/web-client.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

const unique = () => randomBytes(4).toString('hex');
const email = (s: Signer) => s.email;
const isUpdate = (m: ReceivedMail) => m.subject.startsWith('Delivered in');
const updatesTo = (s: Signer) => stack.smtp.to(email(s)).filter(isUpdate);

async function petitionId(slug: string): Promise<string> {
  return (await stack.services.petitionService.findVisible(slug)).id;
}

const signed = (slug: string, overrides: Record<string, unknown>, confirm: boolean) => givenSigner(stack, slug, overrides, confirm);

/** A ready packet as the packet service stores it; only its total shows in the emails. */
async function givenPacket(forPetition: string, targetId: string, total: number): Promise<string> {
  const now = new Date();
  const packetId = `pk_${unique()}`;
  await stack.database.connection.collection('packets').insertOne({
    _id: packetId as never,
    ...{ petitionId: forPetition, targetId, status: 'ready', cutoff: now, names: 'full', generatedAt: now, generatedBy: 'organiser@example.org' },
    ...{ total, countryCount: 1, counts: { GB: total }, root: 'ab'.repeat(32), files: [], pdfPages: 1, zipFileId: 'f', zipBytes: 1 },
  });
  return packetId;
}

/** A delivered target, built here as the targets feature hands it over, and the packet it names. */
async function givenDelivery(forPetition: string, total = 4321, city = 'London'): Promise<DeliveryTarget> {
  const now = new Date();
  const id = `t_${unique()}`;
  const packetId = await givenPacket(forPetition, id, total);
  const delivery = { deliveredAt: new Date('2025-03-14T11:00:00Z'), deliveredBy: 'Volunteers', notes: '', packetId, photo: null, recordedBy: 'organiser@example.org', recordedAt: now };
  return {
    ...{ id, petitionId: forPetition, name: "Embassy of the People's Republic of China, London", recipientName: 'Zheng Zeguang', recipientTitle: 'Ambassador' },
    ...{ city, country: 'GB', address: '49 Portland Place', language: 'en', plannedAt: null, notes: '', delivery, createdAt: now, updatedAt: now },
  };
}

/** Every update job of this delivery has been sent or dropped: the outbox deletes jobs once done. */
async function waitUntilHandled(target: DeliveryTarget): Promise<void> {
  await stack.services.announcer.settle();
  const outbox = stack.database.connection.collection('outbox_bulk');
  const deadline = Date.now() + 20_000;
  while ((await outbox.countDocuments({ kind: 'delivery-update', 'payload.targetId': target.id })) > 0) {
    if (Date.now() > deadline) {
      const stuck = await outbox.find({ kind: 'delivery-update', 'payload.targetId': target.id }, { projection: { attempts: 1, lastError: 1 } }).toArray();
      assert.fail(`delivery update jobs were not handled: ${JSON.stringify(stuck)}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function announced(target: DeliveryTarget): Promise<void> {
  await stack.services.announcer.announce(target);
  await waitUntilHandled(target);
}

/** The token of a link in the plain-text part (links are made from BASE_URL, not from the test server's address). */
const linkIn = (mail: ReceivedMail, path: string) => {
  const match = new RegExp(`https?://[^/\\s]+/${path}/([A-Za-z0-9_-]+)`).exec(mail.text);
  assert.ok(match?.[1], `no /${path}/ link in "${mail.subject}"`);
  return match[1];
};

const idOf = async (slug: string, signer: Signer) =>
  signatureId(await petitionId(slug), stack.services.protector.emailHash((normaliseEmail(email(signer)) as { canonical: string }).canonical));

const consentOf = async (slug: string, signer: Signer) => {
  const doc = await stack.database.connection.collection('signatures').findOne({ _id: (await idOf(slug, signer)) as never });
  return (doc?.consent as { updates: boolean } | undefined)?.updates;
};

describe('delivery update emails', () => {
  test('when a delivery is announced twice and by two instances, then each confirmed signer who opted in gets one email, and nobody else any', async () => {
    const petition = await givenPetition(stack);
    const optedIn = [await signed(petition.slug, { updates: true }, true), await signed(petition.slug, { updates: true }, true)];
    const notOptedIn = await signed(petition.slug, { updates: false }, true);
    const pending = await signed(petition.slug, { updates: true }, false);
    const target = await givenDelivery(await petitionId(petition.slug));
    const second = await stack.startInstance();
    try {
      await Promise.all([stack.services.announcer.announce(target), second.services.announcer.announce(target)]);
      await second.services.announcer.settle();
      await waitUntilHandled(target);
      await announced(target);
    } finally {
      await second.stop();
    }
    for (const signer of optedIn) assert.equal(updatesTo(signer).length, 1, 'an opted-in signer got no email or more than one');
    assert.equal(updatesTo(notOptedIn).length, 0, 'a signer who did not opt in got an update');
    assert.equal(updatesTo(pending).length, 0, 'a pending signer got an update');
  });

  test('when an announcement was cut short by a crash, then maintenance finishes it once its hold lapsed, from the stored mailing, and nobody gets it twice', async () => {
    const petition = await givenPetition(stack);
    const reached = await signed(petition.slug, { updates: true }, true);
    const target = await givenDelivery(await petitionId(petition.slug));
    await announced(target);
    // As if the instance died after queuing `reached` and before the rest: the second signer was not reached yet.
    const missed = await signed(petition.slug, { updates: true }, true);
    const holdUntil = (at: Date) => stack.database.connection.collection('outbox_mailings').updateOne({ _id: `delivery:${target.id}` as never }, { $set: { queuingUntil: at } });
    await holdUntil(new Date(Date.now() + 60_000));
    assert.equal((await stack.services.maintenance.runOnce()).mailingsResumed, 0, 'an announcement still held by its queuer was taken over');

    await holdUntil(new Date(Date.now() - 1000));
    assert.equal((await stack.services.maintenance.runOnce()).mailingsResumed, 1);
    await waitUntilHandled(target);
    await stack.smtp.waitFor(() => updatesTo(missed).length === 1);
    assert.deepEqual([reached, missed].map((s) => updatesTo(s).length), [1, 1], 'emails per signer: reached before the crash, missed');
    const [entry] = await stack.services.audit.latest(1, { action: 'delivery.announce' });
    assert.equal(entry?.actor, 'organiser@example.org', 'the resumed announcement is recorded under who recorded the delivery');
    assert.equal((await stack.services.maintenance.runOnce()).mailingsResumed, 0, 'a finished announcement is resumed again');
  });

  test('when a delivery is announced, then the worker sends without reading the signatures collection', async () => {
    const petition = await givenPetition(stack);
    const optedIn = [await signed(petition.slug, { updates: true, firstName: 'Gulnaz' }, true), await signed(petition.slug, { updates: true, firstName: 'Rahile' }, true)];
    const target = await givenDelivery(await petitionId(petition.slug));
    const signatures = stack.database.connection.collection('signatures');
    const ids = await Promise.all(optedIn.map((s) => idOf(petition.slug, s)));
    const removed: Record<string, unknown>[] = [];
    await stack.services.mailWorker.stop();
    try {
      await stack.services.announcer.announce(target);
      await stack.services.announcer.settle();
      // Gone before the worker runs: an email can only go out if the job itself carries the recipient.
      for (const id of ids) {
        const doc = await signatures.findOneAndDelete({ _id: id as never });
        if (doc) removed.push(doc);
      }
    } finally {
      stack.services.mailWorker.start();
    }
    try {
      await waitUntilHandled(target);
    } finally {
      if (removed.length > 0) await signatures.insertMany(removed);
    }
    assert.equal(removed.length, 2, 'the signatures were not removed');
    const [gulnaz, rahile] = optedIn.map((s) => updatesTo(s));
    assert.deepEqual([gulnaz?.length, rahile?.length], [1, 1]);
    assert.ok(gulnaz![0]!.text.includes('Dear Gulnaz,'), gulnaz![0]!.text);
    assert.ok(rahile![0]!.text.includes('Dear Rahile,'), rahile![0]!.text);
  });

  test('when an organiser marks a target delivered, then the signers who opted in are told, and the audit log records it without personal data', async () => {
    const petition = await givenPetition(stack);
    const signer = await signed(petition.slug, { updates: true, firstName: 'Dilnur' }, true);
    const forPetition = await petitionId(petition.slug);
    const fields = { name: 'Ministry of Foreign Affairs', recipientName: '', recipientTitle: 'Minister', city: 'Helsinki', country: 'FI', address: '', language: 'en', plannedAt: '', notes: '' };
    const target = await stack.services.targets.create(forPetition, fields, 'organiser@example.org');
    const packetId = await givenPacket(forPetition, target.id, 77);
    const body = { deliveredAt: '2025-03-20', deliveredBy: 'Volunteers', notes: '', packetId, photoPublic: '' };
    await stack.services.targets.markDelivered(target.id, body, null, 'organiser@example.org');
    await waitUntilHandled(target);
    const [mail] = updatesTo(signer);
    assert.ok(mail?.text.includes('handed over to Minister (Ministry of Foreign Affairs) in Helsinki, Finland'), mail?.text);
    const [entry] = await stack.services.audit.latest(1, { action: 'delivery.announce' });
    assert.deepEqual(entry && { ...entry.details, rows: entry.rows }, { target: target.id, packet: packetId, signers: 1, queued: 1, rows: 1 });
    assert.ok(!JSON.stringify(entry).includes('Dilnur') && !JSON.stringify(entry).includes(email(signer)));
  });

  test('when the email arrives, then it says where, when and how many, with the private receipt link and a one-click unsubscribe', async () => {
    const petition = await givenPetition(stack, { title: 'Free them now' });
    const signer = await signed(petition.slug, { updates: true, firstName: 'Aynur' }, true);
    await announced(await givenDelivery(await petitionId(petition.slug), 323832, 'Dakar'));
    const [mail] = updatesTo(signer);
    assert.ok(mail, 'no update email');
    assert.equal(mail.subject, 'Delivered in Dakar: Free them now');
    for (const part of ['Dear Aynur,', 'Dakar', '323,832', 'March 14, 2025', 'Zheng Zeguang, Ambassador', 'United Kingdom']) {
      assert.ok(mail.text.includes(part), `"${part}" is missing from the email`);
    }
    const expectedId = await idOf(petition.slug, signer);
    assert.equal(stack.services.receiptTokens.read(linkIn(mail, 'receipts')), expectedId, 'the receipt link is not this signer’s');
    const unsubscribeUrl = `${stack.services.config.BASE_URL}/unsubscribe/${linkIn(mail, 'unsubscribe')}`;
    assert.ok(mail.html.includes(unsubscribeUrl), 'the HTML part has no unsubscribe link');
    assert.match(mail.raw.replace(/\r?\n\s+/g, ' '), new RegExp(`^List-Unsubscribe: <${unsubscribeUrl}>`, 'm'));
    assert.match(mail.raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
  });

  test('when a signer opens the unsubscribe link, then nothing changes until they press the button, and then the next delivery sends them nothing', async () => {
    const petition = await givenPetition(stack);
    const [leaving, staying] = [await signed(petition.slug, { updates: true }, true), await signed(petition.slug, { updates: true }, true)];
    await announced(await givenDelivery(await petitionId(petition.slug)));
    const browser = aWebClient(stack.baseUrl);
    const link = `/unsubscribe/${linkIn(updatesTo(leaving)[0]!, 'unsubscribe')}`;

    const page = await browser.get(link);
    assert.equal(page.status, 200);
    assert.equal(await consentOf(petition.slug, leaving), true, 'opening the link unsubscribed');
    assert.equal((await browser.post(link, {})).status, 403, 'a form post without CSRF token was accepted');
    assert.equal(await consentOf(petition.slug, leaving), true);

    const done = await browser.post(link, { _csrf: csrfFrom(page.html) });
    assert.equal(done.status, 200);
    assert.ok(done.html.includes('no more update emails'));
    assert.equal(await consentOf(petition.slug, leaving), false);
    assert.equal((await browser.post(link, { _csrf: csrfFrom(page.html) })).status, 200, 'unsubscribing twice failed');

    await announced(await givenDelivery(await petitionId(petition.slug), 10, 'Paris'));
    assert.equal(updatesTo(leaving).length, 1, 'an unsubscribed signer got the next delivery email');
    assert.equal(updatesTo(staying).length, 2);
  });

  test('when a mail provider sends the one-click POST without cookies or CSRF token, then it unsubscribes, also after the emails are queued', async () => {
    const petition = await givenPetition(stack);
    const [urlencoded, multipart, staying] = [
      await signed(petition.slug, { updates: true }, true),
      await signed(petition.slug, { updates: true }, true),
      await signed(petition.slug, { updates: true }, true),
    ];
    const first = await givenDelivery(await petitionId(petition.slug));
    await announced(first);
    const link = (s: Signer) => `${stack.baseUrl}/unsubscribe/${linkIn(updatesTo(s)[0]!, 'unsubscribe')}`;

    // The next delivery's emails are queued while no worker runs; the signers unsubscribe before they go out.
    await stack.services.mailWorker.stop();
    const next = await givenDelivery(await petitionId(petition.slug), 20, 'Lima');
    try {
      await stack.services.announcer.announce(next);
      await stack.services.announcer.settle();
      const oneClick = 'List-Unsubscribe=One-Click';
      const a = await fetch(link(urlencoded), { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: oneClick });
      const form = new FormData();
      form.set('List-Unsubscribe', 'One-Click');
      const b = await fetch(link(multipart), { method: 'POST', body: form });
      assert.deepEqual([a.status, b.status], [200, 200]);
    } finally {
      stack.services.mailWorker.start();
    }
    await waitUntilHandled(next);
    assert.equal(await consentOf(petition.slug, urlencoded), false);
    assert.equal(await consentOf(petition.slug, multipart), false);
    assert.deepEqual([updatesTo(urlencoded).length, updatesTo(multipart).length, updatesTo(staying).length], [1, 1, 2]);
  });

  test('when an unsubscribe link is garbled, then GET and POST answer 404 and nothing changes', async () => {
    const petition = await givenPetition(stack);
    const signer = await signed(petition.slug, { updates: true }, true);
    await announced(await givenDelivery(await petitionId(petition.slug)));
    const token = linkIn(updatesTo(signer)[0]!, 'unsubscribe');
    const garbled = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    for (const path of [`/unsubscribe/${garbled}`, `/unsubscribe/${token.slice(0, -4)}`, '/unsubscribe/nonsense']) {
      assert.equal((await fetch(`${stack.baseUrl}${path}`)).status, 404, `GET ${path}`);
      const post = await fetch(`${stack.baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click' });
      assert.equal(post.status, 404, `POST ${path}`);
    }
    assert.equal(await consentOf(petition.slug, signer), true);
  });

  test('when a delivery is withdrawn before its emails go out, then none is sent', async () => {
    const petition = await givenPetition(stack);
    const signer = await signed(petition.slug, { updates: true }, true);
    const target = await givenDelivery(await petitionId(petition.slug));
    await stack.services.mailWorker.stop();
    try {
      await stack.services.announcer.announce(target);
      await stack.services.announcer.settle();
      await stack.services.announcer.withdraw(target.id);
    } finally {
      stack.services.mailWorker.start();
    }
    await waitUntilHandled(target);
    assert.equal(updatesTo(signer).length, 0);
  });
});

describe('receipt links in signing emails', () => {
  test('when a signature counts at once, then its email and a later "already signed" email carry the signer’s receipt link', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const signer = aSigner() as Signer;
    const sign = () => postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, signer);
    await sign();
    await stack.smtp.waitFor(() => stack.smtp.to(email(signer)).length === 1);
    await sign();
    await stack.smtp.waitFor(() => stack.smtp.to(email(signer)).length === 2);
    const expectedId = await idOf(petition.slug, signer);
    const [counted, already] = stack.smtp.to(email(signer));
    assert.match(counted!.subject, /counted/);
    assert.match(already!.subject, /already signed/);
    for (const mail of [counted!, already!]) assert.equal(stack.services.receiptTokens.read(linkIn(mail, 'receipts')), expectedId, mail.subject);
  });

  test('when a signature still waits for confirmation, then its email carries no receipt link', async () => {
    const petition = await givenPetition(stack);
    const signer = await signed(petition.slug, {}, false);
    await stack.smtp.waitFor(() => stack.smtp.to(email(signer)).length === 1);
    assert.ok(!stack.smtp.to(email(signer))[0]!.text.includes('/receipts/'));
  });
});
