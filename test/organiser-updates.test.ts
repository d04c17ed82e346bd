import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { csrfFrom, signedIn, type AdminClient } from './helpers/admin.js';
import { givenPetition, givenSigner } from './helpers/builders.js';
import type { ReceivedMail } from './helpers/smtp.js';
import { stackPerFile, type Stack } from './helpers/stack.js';

let stack: Stack;
stackPerFile((s) => (stack = s));

const signed = (slug: string, overrides: Record<string, unknown>, confirm = true) => givenSigner(stack, slug, overrides, confirm);

const updatesTo = (email: string, title: string) => stack.smtp.to(email).filter((m) => m.subject.endsWith(`: ${title}`));

/** The signed-in organiser or admin of the current test. */
let client: AdminClient | undefined;
const cookieOf = (c: AdminClient) => [...c.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** Writes a draft through the workspace form; answers its address. */
async function drafted(by: AdminClient, slug: string, title: string, body: string): Promise<string> {
  const form = `/admin/petitions/${slug}/updates`;
  const res = await by.submit(form, { title, body }, form);
  assert.equal(res.status, 303, res.html);
  return res.location!;
}

/** Every job of this update has been sent or dropped: the outbox deletes jobs once done. */
async function handled(url: string): Promise<Record<string, unknown>> {
  await stack.services.organiserUpdates.settle();
  const deadline = Date.now() + 20_000;
  for (;;) {
    const status = (await fetch(`${stack.baseUrl}/admin/api${url.slice('/admin'.length)}`, { headers: { cookie: cookieOf(client!) } }).then((r) => r.json())) as Record<string, unknown>;
    if (status.state === 'ready') return status;
    if (Date.now() > deadline) assert.fail(`the update was not handled: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function sent(url: string): Promise<Record<string, unknown>> {
  const page = await client!.get(url);
  for (let i = 0; i < 2; i += 1) assert.equal((await client!.post(`${url}/send`, { _csrf: csrfFrom(page.html) })).status, 303);
  return handled(url);
}

const unsubscribeLink = (mail: ReceivedMail) => /^List-Unsubscribe: <([^>]+)>/m.exec(mail.raw.replace(/\r?\n\s+/g, ' '))?.[1];

describe('organiser updates', () => {
  test('when an organiser previews, tests and sends an update twice, then the preview is sanitised, the test reaches only them, and each consenting confirmed signer gets it once', async () => {
    client = await signedIn(stack, 'organiser');
    const petition = await givenPetition(stack);
    const [ana, ben] = [await signed(petition.slug, { updates: true }), await signed(petition.slug, { updates: true })];
    const noConsent = await signed(petition.slug, { updates: false });
    const pending = await signed(petition.slug, { updates: true }, false);

    const form = await client.get(`/admin/petitions/${petition.slug}/updates`);
    assert.match(form.html, /main language, English/, 'the form does not say which language to write in');
    const url = await drafted(client, petition.slug, 'We met the minister', 'It went **well**.\n\n<script>alert(1)</script>');
    const preview = await client.get(url);
    const shown = /id="update-preview"[\s\S]*?<\/article>/.exec(preview.html)?.[0] ?? '';
    assert.ok(shown.includes('<strong>well</strong>'), `the preview does not show the Markdown as HTML: ${shown}`);
    assert.ok(!shown.includes('<script'), `the preview kept the script: ${shown}`);

    assert.equal((await client.post(`${url}/test`, { _csrf: csrfFrom(preview.html) })).status, 303);
    await stack.smtp.waitFor(() => updatesTo(client!.email, 'We met the minister').length === 1);
    const everyone = [ana, ben, noConsent, pending].map((s) => s.email);
    assert.deepEqual(everyone.filter((e) => updatesTo(e, 'We met the minister').length > 0), [], 'a signer got the test');

    const status = await sent(url);
    assert.deepEqual({ done: status.done, total: status.total }, { done: 2, total: 2 });
    assert.deepEqual(everyone.map((e) => updatesTo(e, 'We met the minister').length), [1, 1, 0, 0], 'emails per signer: ana, ben, no consent, pending');
    assert.equal(updatesTo(client.email, 'We met the minister').length, 1, 'the organiser got more than the test');

    const [mail] = updatesTo(ana.email, 'We met the minister');
    assert.ok(mail!.html.includes('<strong>well</strong>') && !mail!.html.includes('<script'), mail!.html);
    assert.match(mail!.raw, /^List-Unsubscribe-Post: List-Unsubscribe=One-Click/m);
    assert.ok(unsubscribeLink(mail!) && mail!.html.includes(unsubscribeLink(mail!)!), 'no List-Unsubscribe header, or no visible link to it');

    const page = await (await fetch(`${stack.baseUrl}/petitions/${petition.slug}`)).text();
    assert.ok(page.includes('We met the minister') && page.includes('<strong>well</strong>'), 'the public page does not list the update');
    const [entry] = await stack.services.audit.latest(1, { action: 'update.send' });
    assert.deepEqual(entry && { actor: entry.actor, petition: entry.petition, title: entry.details.title, rows: entry.rows }, { actor: client.email, petition: petition.slug, title: 'We met the minister', rows: 2 });
  });

  test('when a signer uses the one-click unsubscribe, then the next update skips them and reaches the others', async () => {
    client = await signedIn(stack, 'admin');
    const petition = await givenPetition(stack);
    const [leaving, staying] = [await signed(petition.slug, { updates: true }), await signed(petition.slug, { updates: true })];
    await sent(await drafted(client, petition.slug, 'First news', 'One.'));
    const form = new FormData();
    form.set('List-Unsubscribe', 'One-Click');
    const link = unsubscribeLink(updatesTo(leaving.email, 'First news')[0]!)!.replace(/^https?:\/\/[^/]+/, stack.baseUrl);
    assert.equal((await fetch(link, { method: 'POST', body: form })).status, 200);

    await sent(await drafted(client, petition.slug, 'Second news', 'Two.'));
    assert.deepEqual([leaving, staying].map((s) => updatesTo(s.email, 'Second news').length), [0, 1], 'second update: leaving, staying');
    const later = await fetch(`${stack.baseUrl}/petitions/${petition.slug}`).then((r) => r.text());
    assert.ok(later.indexOf('Second news') < later.indexOf('First news'), 'the public page does not list the newest update first');
  });

  test('when the queuing of a sent update was cut short by a crash, then maintenance finishes it once its hold lapsed, and nobody gets it twice', async () => {
    client = await signedIn(stack, 'organiser');
    const petition = await givenPetition(stack);
    const reached = await signed(petition.slug, { updates: true });
    const url = await drafted(client, petition.slug, 'Halfway news', 'Queued in part.');
    await sent(url);
    // As if the instance died after queuing `reached` and before the rest and the total: the second signer was not reached yet.
    const missed = await signed(petition.slug, { updates: true });
    const id = url.slice(url.lastIndexOf('/') + 1);
    await stack.database.connection.collection('organiser_updates').updateOne({ _id: id as never }, { $set: { total: null } });
    const holdUntil = (at: Date) => stack.database.connection.collection('outbox_mailings').updateOne({ _id: `update:${id}` as never }, { $set: { queuingUntil: at } });
    await holdUntil(new Date(Date.now() + 60_000));
    assert.equal((await stack.services.maintenance.runOnce()).mailingsResumed, 0, 'an update still held by its queuer was taken over');

    await holdUntil(new Date(Date.now() - 1000));
    assert.equal((await stack.services.maintenance.runOnce()).mailingsResumed, 1);
    const status = await handled(url);
    assert.deepEqual({ done: status.done, total: status.total }, { done: 2, total: 2 });
    await stack.smtp.waitFor(() => updatesTo(missed.email, 'Halfway news').length === 1);
    assert.deepEqual([reached, missed].map((s) => updatesTo(s.email, 'Halfway news').length), [1, 1], 'emails per signer: reached before the crash, missed');
    assert.equal((await stack.services.maintenance.runOnce()).mailingsResumed, 0, 'a finished update is resumed again');
  });

  test('when an update is being sent, then its progress counts the emails the worker has finished, and a test send counts for none', async () => {
    client = await signedIn(stack, 'organiser');
    const petition = await givenPetition(stack);
    for (let i = 0; i < 3; i += 1) await signed(petition.slug, { updates: true });
    const url = await drafted(client, petition.slug, 'Progress news', 'Counted as sent.');
    const page = await client.get(url);
    await stack.services.mailWorker.stop();
    try {
      assert.equal((await client.post(`${url}/test`, { _csrf: csrfFrom(page.html) })).status, 303);
      assert.equal((await client.post(`${url}/send`, { _csrf: csrfFrom(page.html) })).status, 303);
      await stack.services.organiserUpdates.settle();
      const status = async () => (await fetch(`${stack.baseUrl}/admin/api${url.slice('/admin'.length)}`, { headers: { cookie: cookieOf(client!) } }).then((r) => r.json())) as Record<string, unknown>;
      assert.deepEqual(await status(), { state: 'building', phase: 'writing', done: 0, total: 3 });
      await stack.services.mailWorker.runOnce();
      assert.deepEqual(await status(), { state: 'ready', phase: 'writing', done: 3, total: 3 });
    } finally {
      stack.services.mailWorker.start();
    }
    assert.equal(updatesTo(client.email, 'Progress news').length, 1, 'the test send went out');
  });

  test('when an analyst asks for the update pages or posts one, then each answers 403', async () => {
    const analyst = await signedIn(stack, 'analyst');
    const petition = await givenPetition(stack);
    const form = `/admin/petitions/${petition.slug}/updates`;
    const statuses = [
      (await analyst.get(form)).status,
      (await analyst.submit(form, { title: 'x', body: 'y' })).status,
      (await analyst.submit(`${form}/0123456789abcdef01234567/send`, {})).status,
    ];
    assert.deepEqual(statuses, [403, 403, 403]);
  });
});
