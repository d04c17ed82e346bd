import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { createSessionRepository } from '../server/accounts/session-repository.js';
import { openDatabase, type Database } from '../server/db/database.js';
import { createOutboxRepository } from '../server/mail/outbox-repository.js';
import { createPacketRepository } from '../server/packets/packet-repository.js';
import { createDataProtector } from '../server/shared/data-protector.js';
import { createConfirmTokenRepository } from '../server/signatures/confirm-token-repository.js';
import { createSignatureRepository, createSignatureSubscriberRepository } from '../server/signatures/index.js';
import { createTallyRepository } from '../server/tallies/tally-repository.js';

/**
 * The lookups a signer's request or the mail worker makes on collections that grow with signatures
 * must reach their document through the `_id` index (docs/embedded-database.md#access-paths). Each
 * test runs the real repository function, records the commands it sends, and asks FerretDB's
 * `explain` for SQLite's plan of each filter. findAndModify is explained as the find with the same
 * filter: FerretDB 1.24 pushes both down alike, but explains only find, count and aggregate.
 */
const onMongo = !!process.env.MONGODB_URI;
const QUERIES = new Set(['find', 'findAndModify', 'count', 'aggregate', 'delete', 'update']);

interface Sent {
  command: string;
  collection: string;
  filter: Record<string, unknown>;
}

let dataDir: string;
let database: Database;
let connection: mongoose.Connection;
let sent: Sent[] = [];
const protector = createDataProtector(randomBytes(32));
const petitionId = new mongoose.Types.ObjectId().toHexString();

before(async () => {
  if (onMongo) return;
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-access-'));
  const config = { DATA_DIR: dataDir, FERRETDB_BIN: path.resolve('.tools/ferretdb/ferretdb'), MONGODB_URI: undefined };
  database = await openDatabase(config, pino({ level: 'silent' }), { inMemory: false, dbName: 'access' });
  connection = await mongoose.createConnection(database.uri, { dbName: 'access', monitorCommands: true }).asPromise();
  connection.getClient().on('commandStarted', (event) => {
    if (!QUERIES.has(event.commandName)) return;
    const c = event.command;
    const filters = event.commandName === 'update' ? (c.updates as { q: object }[]).map((u) => u.q)
      : event.commandName === 'delete' ? (c.deletes as { q: object }[]).map((d) => d.q)
      : event.commandName === 'aggregate' ? [((c.pipeline as { $match?: object }[])[0]?.$match ?? {})]
      : [(c.filter ?? c.query ?? {}) as object];
    for (const filter of filters) sent.push({ command: event.commandName, collection: String(c[event.commandName]), filter: filter as Record<string, unknown> });
  });
});

after(async () => {
  if (onMongo) return;
  await connection.close();
  await database.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** The commands `act` sends, with SQLite's plan for each filter. */
async function plansOf(act: () => Promise<unknown>): Promise<{ sent: string; plan: string[] }[]> {
  sent = [];
  await act();
  const out = [];
  for (const s of sent) {
    const explained = await connection.db!.command({ explain: { find: s.collection, filter: s.filter } });
    out.push({ sent: `${s.command} ${s.collection} ${JSON.stringify(s.filter)}`, plan: (explained.queryPlanner as { Plan?: string[] }).Plan ?? [] });
  }
  return out;
}

/** Asserts that `act` sent at least one query and that every one searched the _id index. */
async function assertIndexed(act: () => Promise<unknown>) {
  const plans = await plansOf(act);
  assert.notEqual(plans.length, 0, 'the repository sent no query');
  const scans = plans.filter(({ plan }) => !(plan.length === 1 && /SEARCH \S+ USING INDEX \S+__id_ /.test(plan[0]!)));
  assert.deepEqual(scans, []);
}

describe('access paths on the embedded database', { skip: onMongo && 'MONGODB_URI is set: MongoDB explains differently' }, () => {
  test('when a confirmation link is opened, then its token is found through the _id index', async () => {
    const tokens = createConfirmTokenRepository(connection);
    await tokens.init();
    const token = await tokens.issue({ signatureId: `${petitionId}:x`, petitionId, country: 'GB' }, new Date(Date.now() + 3_600_000));
    await assertIndexed(() => tokens.find(token));
  });

  test('when a signature is read back or opted out of updates, then it is found through the _id index', async () => {
    const signatures = createSignatureRepository(connection, protector);
    await signatures.init();
    const emailHash = protector.emailHash('ana@example.org');
    const details = { firstName: 'Ana', lastName: 'Lima', email: 'ana@example.org', postcode: '', comment: '' };
    await signatures.insertMany([
      { petitionId, emailHash, domainHash: null, ipHash: null, country: 'GB', status: 'confirmed', verification: 'email', consent: { updates: true, hideName: false }, ref: null, details, createdAt: new Date() },
    ]);
    const id = `${petitionId}:${emailHash}`;
    await assertIndexed(() => signatures.findById(id));
    await assertIndexed(() => createSignatureSubscriberRepository(connection, protector).optOut(id));
  });

  test('when a count is read, then the petition tally is found through the _id index', async () => {
    const tallies = createTallyRepository(connection);
    await tallies.set(petitionId, new Map([['pending', 1]]), new Date());
    await assertIndexed(() => tallies.read(petitionId));
  });

  test('when a signed-in request arrives, then its session is found and touched through the _id index', async () => {
    const sessions = createSessionRepository(connection);
    await sessions.save('sid-1', '{}', new Date(Date.now() + 3_600_000));
    await assertIndexed(() => sessions.find('sid-1', new Date()));
    await assertIndexed(() => sessions.touch('sid-1', new Date(Date.now() + 7_200_000)));
  });

  test('when the worker loses a claim or checks an opt-out, then the claim and the opt-out are found through the _id index', async () => {
    const outbox = createOutboxRepository(connection);
    await outbox.init();
    const now = new Date();
    await outbox.enqueueMany([{ id: 'job-1', job: { kind: 'delivery-update', payload: { petitionId, signatureId: 'x', targetId: 't', lang: 'en', recipient: 'r' } } }], now);
    assert.equal((await outbox.claimDue(now, 10, 60_000)).length, 1, 'the first claim wins');
    await outbox.optOutOfUpdates(`${petitionId}:y`, now);

    // The second claim of the same attempt loses, and reads the winner's claim to see if its lease ran out.
    const lost = await plansOf(() => outbox.claimDue(now, 10, 60_000));
    const claimReads = lost.filter((p) => p.sent.startsWith('find outbox_claims'));
    assert.equal(claimReads.length, 1, `one claim read expected among ${JSON.stringify(lost.map((p) => p.sent))}`);
    assert.match(claimReads[0]!.plan.join(' '), /SEARCH \S+ USING INDEX \S+__id_ /);
    await assertIndexed(() => outbox.optedOutOfUpdates(`${petitionId}:y`));
  });

  test('when a receipt is shown, then its packet and the chunk of leaves holding the proof are found through the _id index', async () => {
    const packets = createPacketRepository(connection);
    await connection.collection('packets').insertOne({ _id: 'packet-1' as never, petitionId, targetId: 't', status: 'ready' });
    await packets.saveLeaves('packet-1', randomBytes(32 * 3));
    await assertIndexed(() => packets.find('packet-1'));
    await assertIndexed(() => packets.chunk('packet-1', 0));
  });
});
