import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { sealRecipient } from '../server/mail/sealed-recipient.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack({ OUTBOX_RETRY_BASE_MS: '200' });
});
after(async () => {
  await stack.stop();
});

const sign = (slug: string, signer: Record<string, unknown>) => postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, signer);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the mail outbox', () => {
  test('when the SMTP server refuses mail for a while, then the confirmation is retried and arrives exactly once', async () => {
    const petition = await givenPetition(stack);
    const signer = aSigner();
    stack.smtp.refuse(true);
    try {
      await sign(petition.slug, signer);
      // Wait for at least one failed attempt to be recorded in the outbox.
      const outbox = stack.database.connection.collection('outbox');
      const deadline = Date.now() + 10_000;
      while (!(await outbox.findOne({ 'payload.petitionId': { $exists: true }, attempts: { $gte: 1 } }))) {
        assert.ok(Date.now() < deadline, 'no failed attempt was recorded');
        await sleep(50);
      }
      assert.equal(stack.smtp.to(signer.email as string).length, 0);
    } finally {
      stack.smtp.refuse(false);
    }
    await stack.smtp.waitFor(() => stack.smtp.to(signer.email as string).length >= 1);
    await sleep(1500);
    assert.equal(stack.smtp.to(signer.email as string).length, 1);
  });

  test('when no worker runs at the moment of signing (a crash), then the queued confirmation is sent once a worker runs again', async () => {
    const petition = await givenPetition(stack);
    const signer = aSigner();
    await stack.services.mailWorker.stop();
    try {
      const res = await sign(petition.slug, signer);
      assert.equal(res.status, 202);
      await sleep(300);
      assert.equal(stack.smtp.to(signer.email as string).length, 0);
    } finally {
      stack.services.mailWorker.start();
    }
    await stack.smtp.waitFor(() => stack.smtp.to(signer.email as string).length === 1);
    const token = confirmTokenFrom(stack.smtp.to(signer.email as string)[0]!);
    assert.equal((await postJson(`${stack.baseUrl}/api/v1/confirm/${token}`, '')).status, 200);
  });

  test("when a mailing's hundreds of emails wait in the queue, then a new signer's confirmation email goes out before them", async () => {
    const petition = await givenPetition(stack);
    const { organiserUpdates } = stack.services;
    const found = await organiserUpdates.petitionFor(petition.slug);
    const update = await organiserUpdates.saveDraft(found, undefined, { title: 'Backlog', body: 'A mailing.' }, 'organiser@example.org');
    await stack.services.mailWorker.stop();
    // A mailing just queued 300 bulk emails (one update; each job addressed on its own, like a test send, so that no signature is needed).
    const mailing = Array.from({ length: 300 }, (_, i) => {
      const sealedAs = `test:${update.id}:${i}`;
      const recipient = sealRecipient(stack.services.protector, sealedAs, { firstName: 'Backlog', email: `backlog-${i}@example.org` });
      return { id: `backlog:${update.id}:${i}`, job: { kind: 'organiser-update' as const, payload: { updateId: update.id, petitionId: found.id, sealedAs, lang: 'en', recipient } } };
    });
    assert.equal(await stack.services.outbox.enqueueMany(mailing, new Date()), 300);
    const signer = aSigner();
    await sign(petition.slug, signer);
    stack.services.mailWorker.start();

    await stack.smtp.waitFor(() => stack.smtp.to(signer.email as string).length === 1, 60_000);
    // In the order the SMTP server received them (more may have arrived since the wait noticed the link).
    const arrived = stack.smtp.messages.findIndex((m) => m.to === signer.email);
    const mailingBefore = stack.smtp.messages.slice(0, arrived).filter((m) => m.to.startsWith('backlog-')).length;
    assert.ok(mailingBefore < 5, `${mailingBefore} emails of the mailing went out before the confirmation link`);
    await stack.smtp.waitFor((all) => all.filter((m) => m.to.startsWith('backlog-')).length === 300, 120_000);
  });

  test('when two app instances share the outbox, then each message is sent exactly once', async () => {
    const second = await stack.startInstance();
    const petition = await givenPetition(stack);
    const signers = Array.from({ length: 60 }, () => aSigner());
    await Promise.all(signers.map((s) => sign(petition.slug, s)));
    await stack.smtp.waitFor(() => signers.every((s) => stack.smtp.to(s.email as string).length >= 1), 30_000);
    await sleep(1500);
    for (const s of signers) assert.equal(stack.smtp.to(s.email as string).length, 1, `${String(s.email)} got more than one message`);
    await second.stop();
  });

  test('when a message is sent, then it has an HTML and a plain-text part and the outbox keeps no address in plain text', async () => {
    const petition = await givenPetition(stack);
    const signer = aSigner({ firstName: 'Gulnar' });
    await stack.services.mailWorker.stop();
    await sign(petition.slug, signer);
    const queued = [
      ...(await stack.database.connection.collection('outbox').find({ 'payload.petitionId': { $exists: true } }).toArray()),
      ...(await stack.database.connection.collection('outbox_bulk').find({ 'payload.petitionId': { $exists: true } }).toArray()),
    ];
    stack.services.mailWorker.start();
    const raw = JSON.stringify(queued);
    assert.ok(!raw.includes(signer.email as string), 'the address is stored in plain text');
    assert.ok(!raw.includes('Gulnar'), 'the name is stored in plain text');
    await stack.smtp.waitFor(() => stack.smtp.to(signer.email as string).length === 1);
    const mail = stack.smtp.to(signer.email as string)[0]!;
    assert.match(mail.raw, /Content-Type: text\/plain/i);
    assert.match(mail.raw, /Content-Type: text\/html/i);
    assert.ok(mail.text.includes('Dear Gulnar,'));
  });
});

describe('mail without SMTP_URL', () => {
  test('when no SMTP server is configured, then each message is written as an .eml file under DATA_DIR/mail', async () => {
    const local = await startStack({ SMTP_URL: '' });
    try {
      const petition = await givenPetition(local);
      await postJson(`${local.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, aSigner({ email: 'file-mail@example.org' }));
      const dir = path.join(local.dataDir, 'mail');
      const deadline = Date.now() + 10_000;
      const files = () => {
        try {
          return readdirSync(dir).filter((f) => f.endsWith('.eml'));
        } catch {
          return [];
        }
      };
      while (files().length === 0) {
        assert.ok(Date.now() < deadline, 'no .eml file was written');
        await sleep(50);
      }
      assert.equal(files().length, 1);
    } finally {
      await local.stop();
    }
  });
});
