import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Types } from 'mongoose';
import { piiOf, type SignatureDoc } from '../server/signatures/signature-repository.js';
import { PURGED_DETAILS } from '../server/signatures/signature-purge-repository.js';
import { asForm, aSigner, givenDelivery, givenPetition, postJson } from './helpers/builders.js';
import { npmRun } from './helpers/cli.js';
import { petitionIdOf } from './helpers/export-signatures.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { stackPerFile, type Stack } from './helpers/stack.js';
import { countersOf } from './helpers/tally.js';
import { aWebClient, fieldValue, tagWithId, textOf } from './helpers/web-client.js';

let stack: Stack;
stackPerFile((started) => (stack = started));

const DAY_MS = 24 * 3600_000;
const raw = (name: string) => stack.database.connection.collection(name);
const cliDir = mkdtempSync(path.join(os.tmpdir(), 'handover-purge-cli-'));
after(() => rmSync(cliDir, { recursive: true, force: true }));

/** Signs on the petition page; confirms through the emailed link unless `confirm` is false. Returns the receipt link, if confirmed. */
async function sign(slug: string, signer: Record<string, unknown>, confirm = true): Promise<string | null> {
  const client = aWebClient(stack.baseUrl);
  const page = await client.get(`/petitions/${slug}`);
  const hidden = Object.fromEntries(['_csrf', 'started', 'ref', 'referrer', 'via'].map((f) => [f, fieldValue(page.html, f) ?? '']));
  const signed = await client.post(`/petitions/${slug}/sign`, { ...hidden, website: '', ...asForm(signer) });
  assert.equal(signed.status, 303, `signing answered ${signed.status}`);
  const email = signer.email as string;
  await stack.smtp.waitFor(() => stack.smtp.to(email).length > 0);
  if (!confirm) return null;
  const token = confirmTokenFrom(stack.smtp.to(email).at(-1)!);
  const confirmPage = await client.get(`/confirm/${token}`);
  const confirmed = await client.post(`/confirm/${token}`, { _csrf: fieldValue(confirmPage.html, '_csrf')! });
  assert.equal(confirmed.status, 303);
  const thanks = await client.get(confirmed.location!);
  return /<p class="notice" id="receipt-link">[\s\S]*?<a href="(\/receipts\/[A-Za-z0-9_-]+)">/.exec(thanks.html)![1]!;
}

async function settled(): Promise<void> {
  for (let i = 0; i < 200 && (await raw('signature_journal').countDocuments()) > 0; i++) await new Promise((r) => setTimeout(r, 25));
}

const tallyOf = (petitionId: string) => countersOf(stack, petitionId);

const signaturesOf = (petitionId: string) => raw('signatures').find<SignatureDoc & { purgedAt?: Date }>({ petitionId: new Types.ObjectId(petitionId) }).toArray();

/** The CLI on the stack's database (its own DATA_DIR and key: a dry run decrypts nothing). */
function purgeCli(args: string[]) {
  const uri = new URL(stack.database.uri);
  uri.pathname = `/${stack.database.connection.name}`;
  const env = { ...process.env, DATA_DIR: cliDir, MONGODB_URI: uri.toString(), LOG_LEVEL: 'warn', NODE_ENV: 'development' };
  return npmRun('purge', args, { env, timeout: 120_000 });
}

describe('retention: a petition past its rule is purged, and unconfirmed signatures whose link expired go', () => {
  test('when a closed petition passes its retention date, then its personal data is gone, its counts and packets stay, and an old receipt still verifies', async () => {
    const petition = await givenPetition(stack, { retention: { after: 'closed', days: 30 } });
    const petitionId = await petitionIdOf(stack.database.connection, petition.slug);
    const publicPage = await aWebClient(stack.baseUrl).get(`/petitions/${petition.slug}`);
    assert.equal(textOf(publicPage.html, /<p class="hint" id="retention-note">/), "Signers' names, email addresses, postcodes and comments are deleted 30 days after this petition closes; the counts stay.");

    const signers = [aSigner({ country: 'FR', comment: 'Free them all' }), aSigner({ country: 'GB' })];
    const receipts: string[] = [];
    for (const signer of signers) receipts.push((await sign(petition.slug, signer))!);
    const pendingSigner = aSigner({ country: 'DE' });
    await sign(petition.slug, pendingSigner, false);
    const { packet } = await givenDelivery(stack, petition.slug, { city: 'London', country: 'GB', deliveredAt: '2025-03-14' });
    const downloaded = await aWebClient(stack.baseUrl).get(`${receipts[0]}/packets/${packet.id}.json`);
    assert.equal(downloaded.status, 200);
    const oldReceipt = JSON.parse(downloaded.html) as unknown;
    await settled();

    // Another petition, still open, with one signature nobody confirmed: its link expired 8 days ago (7 days' grace).
    const other = await givenPetition(stack);
    const otherId = await petitionIdOf(stack.database.connection, other.slug);
    await sign(other.slug, aSigner(), false);
    await settled();
    const [stale] = await signaturesOf(otherId);
    await raw('signatures').updateOne({ _id: stale!._id as never }, { $set: { createdAt: new Date(Date.now() - (stack.services.config.CONFIRM_TOKEN_TTL_HOURS / 24 + 8) * DAY_MS) } });

    // Closed 31 days ago: the rule's date has passed.
    await raw('petitions').updateOne({ _id: new Types.ObjectId(petitionId) }, { $set: { status: 'closed', closesAt: new Date(Date.now() - 31 * DAY_MS) } });
    stack.services.petitionService.forget();
    const tallyBefore = await tallyOf(petitionId);
    const otherBefore = await tallyOf(otherId);
    const docsBefore = await signaturesOf(petitionId);

    const dry = await purgeCli(['--dry-run']);
    assert.match(dry.stdout, /^dryRun=1 petitions=2 signatures=3 unconfirmed=1$/m, dry.stdout);
    assert.deepEqual(await signaturesOf(petitionId), docsBefore, 'the dry run changed no signature');
    assert.deepEqual(await tallyOf(otherId), otherBefore, 'the dry run changed no count');

    const report = await stack.services.purge.run({ actor: 'maintenance' });
    await settled();
    assert.deepEqual(report.petitions.map((p) => [p.slug, p.signatures, p.unconfirmed]).sort(), [[other.slug, 0, 1], [petition.slug, 3, 0]].sort());

    const docs = await signaturesOf(petitionId);
    const stillReadable = docs.map((d) => stack.services.protector.open(piiOf(d), d._id)).filter((details) => JSON.stringify(details) !== JSON.stringify(PURGED_DETAILS));
    assert.deepEqual(stillReadable, [], 'no signature of the petition opens to personal data');
    assert.deepEqual(docs.filter((d) => !d.purgedAt).map((d) => d._id), [], 'every signature is stamped purged');
    const everything = JSON.stringify(await Promise.all(['signatures', 'outbox', 'outbox_bulk', 'confirm_tokens', 'signature_journal'].map((c) => raw(c).find({}).toArray())));
    const found = [...signers, pendingSigner].flatMap((s) => [s.email, s.lastName, s.postcode, s.comment].filter((v) => typeof v === 'string' && v !== '' && everything.includes(v)));
    assert.deepEqual(found, [], 'no personal data in plain anywhere');
    assert.equal(await raw('confirm_tokens').countDocuments({ petitionId }), 0, 'no confirmation token of the petition is left (each holds an address sealed)');

    assert.deepEqual(await tallyOf(petitionId), tallyBefore, 'the counts are unchanged');
    assert.deepEqual((await stack.services.recount({ fix: false })).drift, [], 'the counts equal a recount');
    assert.equal((await stack.services.packets.find(packet.id))?.root, packet.root, 'the packet keeps its Merkle root');

    const verified = await postJson(`${stack.baseUrl}/api/v1/verify`, oldReceipt);
    assert.deepEqual([verified.status, (verified.body as { outcome: string }).outcome], [200, 'valid'], 'a receipt downloaded before the purge still verifies');
    const receiptPage = await aWebClient(stack.baseUrl).get(receipts[0]!);
    assert.equal(receiptPage.status, 200);
    assert.match(textOf(receiptPage.html, /<p class="notice" id="purged-note">/) ?? '', /^Your personal data was deleted on .+, as this petition's retention rule says\./);
    assert.ok(!receiptPage.html.includes(String(signers[0]!.lastName)), 'the receipt page shows no name');

    assert.equal((await tallyOf(otherId)).pending, (otherBefore.pending ?? 0) - 1, 'the expired unconfirmed signature left the pending count, once');
    assert.deepEqual((await signaturesOf(otherId)).map((d) => d._id), [], 'the expired unconfirmed signature is gone');

    const audit = await stack.services.audit.latest(10, { action: 'retention.purge' });
    assert.deepEqual(audit.map((e) => [e.actor, e.petition, e.rows]).sort(), [['maintenance', other.slug, 1], ['maintenance', petition.slug, 3]].sort());

    const again = await stack.services.purge.run({ actor: 'maintenance', dryRun: true });
    assert.deepEqual(again.petitions, [], 'a second run finds nothing left');
  });

  test('when an organiser sets a rule in the workspace form, then the dashboard says when the personal data goes', async () => {
    const { signedIn, aPetitionForm } = await import('./helpers/admin.js');
    const admin = await signedIn(stack, 'admin');
    const form = await admin.get('/admin/petitions/new');
    const slug = `kept-${Date.now()}`;
    const bad = await admin.post('/admin/petitions', { _csrf: fieldValue(form.html, '_csrf')!, ...aPetitionForm({ slug, retentionAfter: 'delivered', retentionDays: '0' }) });
    assert.equal(bad.status, 422);
    assert.match(textOf(bad.html, /<p class="field-error" id="retentionDays-error"[^>]*>/) ?? bad.html, /whole number of days from 1 to 3650/);
    const created = await admin.post('/admin/petitions', { _csrf: fieldValue(form.html, '_csrf')!, ...aPetitionForm({ slug, retentionAfter: 'delivered', retentionDays: '90' }) });
    assert.equal(created.status, 303);
    const dashboard = await admin.get(`/admin/petitions/${slug}`);
    assert.ok(tagWithId(dashboard.html, 'retention'), 'the dashboard has a retention section');
    assert.equal(textOf(dashboard.html, /<p id="retention-petition">/), "Signers' personal data will be deleted 90 days after the last delivery, counted once the petition has closed; it is still open.");

    const oneDay = `kept-one-${Date.now()}`;
    await admin.post('/admin/petitions', { _csrf: fieldValue(form.html, '_csrf')!, ...aPetitionForm({ slug: oneDay, retentionAfter: 'closed', retentionDays: '1' }) });
    const singular = await admin.get(`/admin/petitions/${oneDay}`);
    assert.equal(textOf(singular.html, /<p id="retention-petition">/), "Signers' personal data will be deleted 1 day after the petition closes; it has not closed yet.");
  });
});
