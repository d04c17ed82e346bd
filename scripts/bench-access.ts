/**
 * npm run bench:access [-- --rows N] — what each query on a collection that grows with signatures
 * costs, through the real repository functions, at N signatures (default 323,832, the model
 * campaign) and as many confirmation tokens, on the embedded FerretDB in a temporary DATA_DIR (or
 * MONGODB_URI). Lookups and inserts: median of 7 runs; full scans: one run. Prints the table of
 * docs/embedded-database.md#access-paths as Markdown; last line:
 *    access_paths=N slowest_hot_ms=N signatures=N
 * where "hot" is every lookup and insert a signer's request or the mail worker makes.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { createSessionRepository } from '../server/accounts/session-repository.js';
import { createAuditRepository } from '../server/audit/audit-repository.js';
import { createOutboxRepository } from '../server/mail/outbox-repository.js';
import { createPacketRepository } from '../server/packets/packet-repository.js';
import { DatabaseStore } from '../server/rate-limit/rate-limit-repository.js';
import { startRuntime } from '../server/runtime.js';
import { createConfirmTokenRepository } from '../server/signatures/confirm-token-repository.js';
import {
  createSignatureInvalidationRepository,
  createSignatureRepository,
  createSignatureSearchRepository,
  createSignatureSnapshotRepository,
  createSignatureSubscriberRepository,
} from '../server/signatures/index.js';
import { createNoticeRepository } from '../server/signatures/notice-repository.js';
import { createTallyRepository } from '../server/tallies/tally-repository.js';
import { seedSignatures } from './bench-export-seed.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '323832' } } });
const ROWS = Number(values.rows);
if (!Number.isInteger(ROWS) || ROWS < 1) {
  console.error('Usage: npm run bench:access [-- --rows N]');
  process.exit(64);
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-bench-access-'));
Object.assign(process.env, { DATA_DIR: dataDir, DATA_KEY: randomBytes(32).toString('base64'), SEED_DEMO: 'false', NODE_ENV: 'development', LOG_LEVEL: 'warn' });
const runtime = await startRuntime({ logLevel: 'warn' });
const { services, database } = runtime;
const { connection } = database;
const { protector } = services;

type Kind = 'lookup' | 'insert' | 'scan';
interface Row {
  query: string;
  owner: string;
  path: string;
  collection: string;
  kind: Kind;
  ms: number;
}
const rows: Row[] = [];
const docsIn = async (collection: string) => connection.collection(collection).estimatedDocumentCount();

/** Times `run`: the median of 7 for a lookup or an insert (each call gets its run number), once for a scan. */
async function measure(row: Omit<Row, 'ms'>, run: (i: number) => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < (row.kind === 'scan' ? 1 : 7); i++) {
    const started = performance.now();
    await run(i);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  rows.push({ ...row, ms: times[Math.floor(times.length / 2)]! });
  console.error(`${row.query}: ${rows.at(-1)!.ms.toFixed(1)} ms`);
}

async function drain(iterable: AsyncIterable<unknown>): Promise<number> {
  let n = 0;
  for await (const item of iterable) if (item) n += 1;
  return n;
}

try {
  await services.petitionService.create({ slug: 'bench-access', title: 'Benchmark', summary: 'Benchmark.', body: 'Benchmark.', target: 'The government', goal: ROWS, status: 'open', verification: 'email' });
  const petitionId = (await services.petitionService.findVisible('bench-access')).id;
  let seeded = Date.now();
  await seedSignatures(connection, protector, petitionId, ROWS);
  const tokens = createConfirmTokenRepository(connection);
  const expires = new Date(Date.now() + 86_400_000);
  let lastToken = '';
  for (let from = 0; from < ROWS; from += 10_000) {
    const batch = Array.from({ length: Math.min(10_000, ROWS - from) }, (_, i) => ({ signatureId: `${petitionId}:t${from + i}`, petitionId, country: 'GB' }));
    lastToken = (await tokens.issueMany(batch, expires)).at(-1)!;
  }
  seeded = (Date.now() - seeded) / 1000;
  console.error(`seeded ${ROWS} signatures and ${ROWS} confirmation tokens in ${seeded.toFixed(0)} s`);

  const sample = (await connection.collection('signatures').findOne({ petitionId: { $exists: true } }, { projection: { _id: 1, emailHash: 1 } }))!;
  const id = sample._id as unknown as string;
  const signatures = createSignatureRepository(connection, protector);
  const search = createSignatureSearchRepository(connection, protector);
  const invalidation = createSignatureInvalidationRepository(connection, protector);
  const snapshots = createSignatureSnapshotRepository(connection, protector);
  const subscribers = createSignatureSubscriberRepository(connection, protector);
  const notices = createNoticeRepository(connection);
  const outbox = createOutboxRepository(connection);
  const tallies = createTallyRepository(connection);
  const sessions = createSessionRepository(connection);
  const packets = createPacketRepository(connection);
  const audit = createAuditRepository(connection);
  const now = () => new Date();
  const details = { firstName: 'Ana', lastName: 'Lima', email: 'ana@example.org', postcode: '', comment: '' };
  const newSignature = () => ({
    petitionId, emailHash: randomBytes(32).toString('base64url'), domainHash: null, ipHash: null, country: 'GB', status: 'pending' as const,
    verification: 'email' as const, consent: { updates: false, hideName: false }, ref: null, details, createdAt: now(),
  });
  const SIG = 'signature-repository.ts';
  const HOT_ID = '`_id` equality → index';

  // A signer's requests and the mail worker.
  await measure({ query: 'sign: insert a signature', owner: SIG, path: 'insert (unique `_id`)', collection: 'signatures', kind: 'insert' }, () => signatures.insert(newSignature()));
  await measure({ query: 'sign: issue a confirmation token', owner: 'confirm-token-repository.ts', path: 'insert', collection: 'confirm_tokens', kind: 'insert' }, () =>
    tokens.issue({ signatureId: id, petitionId, country: 'GB' }, expires),
  );
  await measure({ query: 'confirm: find the token', owner: 'confirm-token-repository.ts', path: HOT_ID, collection: 'confirm_tokens', kind: 'lookup' }, () => tokens.find(lastToken));
  await measure({ query: 'confirm: claim the confirmation', owner: SIG, path: 'insert (unique `_id`)', collection: 'signature_confirmations', kind: 'insert' }, (i) =>
    signatures.claimConfirmation(`${id}:${i}:${randomBytes(4).toString('hex')}`, now()),
  );
  await measure({ query: 'confirm: mark the signature confirmed', owner: SIG, path: `findOneAndUpdate, ${HOT_ID}`, collection: 'signatures', kind: 'lookup' }, () => signatures.markConfirmed(id, now()));
  await measure({ query: 'receipt: read the signature', owner: SIG, path: HOT_ID, collection: 'signatures', kind: 'lookup' }, () => signatures.findById(id));
  await measure({ query: 'repeat signing: claim a notice slot', owner: 'notice-repository.ts', path: 'insert (unique `_id`)', collection: 'signature_notices', kind: 'insert' }, (i) =>
    notices.claimSlot(`${id}:${i}`, 3, now()),
  );
  await measure({ query: 'count: read the tally', owner: 'tally-repository.ts', path: HOT_ID, collection: 'tallies', kind: 'lookup' }, () => tallies.read(petitionId));
  await measure({ query: 'unsubscribe: opt the signature out', owner: 'signature-subscriber-repository.ts', path: `findOneAndUpdate, ${HOT_ID}`, collection: 'signatures', kind: 'lookup' }, () =>
    subscribers.optOut(id),
  );
  await measure({ query: 'outbox: queue a job', owner: 'outbox-repository.ts', path: 'insert', collection: 'outbox', kind: 'insert' }, () =>
    outbox.enqueueMany([{ id: randomBytes(8).toString('hex'), job: { kind: 'delivery-update', payload: { petitionId, signatureId: id, targetId: 't', lang: 'en', recipient: 'r' } } }], now()),
  );
  await measure({ query: 'outbox: claim due jobs (10)', owner: 'outbox-repository.ts', path: 'scan of the queue, stops after the limit; claim = insert', collection: 'outbox', kind: 'lookup' }, () =>
    outbox.claimDue(now(), 10, 60_000),
  );
  await measure({ query: 'outbox: check an update opt-out', owner: 'outbox-repository.ts', path: HOT_ID, collection: 'update_optouts', kind: 'lookup' }, () => outbox.optedOutOfUpdates(id));
  await measure({ query: 'session: read', owner: 'session-repository.ts', path: HOT_ID, collection: 'sessions', kind: 'lookup' }, async (i) => {
    await sessions.save(`sid-${i}`, '{}', expires);
    return sessions.find(`sid-${i}`, now());
  });
  await measure({ query: 'session: touch', owner: 'session-repository.ts', path: `findOneAndUpdate, ${HOT_ID}`, collection: 'sessions', kind: 'lookup' }, (i) => sessions.touch(`sid-${i}`, expires));
  const store = new DatabaseStore(connection, { prefix: 'bench', hashKey: (key) => protector.ipHash(key) });
  store.init({ windowMs: 60_000 } as never);
  await measure({ query: 'rate limit: write a counter', owner: 'rate-limit-repository.ts', path: 'updateOne (reads the collection) + findOne by `_id`', collection: 'rate_limits', kind: 'lookup' }, async (i) => {
    store.increment(`192.0.2.${i}`);
    await store.flush();
  });
  await store.shutdown();
  await measure({ query: 'audit: append an entry', owner: 'audit-repository.ts', path: 'insert', collection: 'audit_log', kind: 'insert' }, () =>
    audit.append({ at: now(), actor: 'bench', action: 'bench', petition: null, details: {}, rows: null }),
  );
  await packets.saveLeaves('bench-packet', randomBytes(32 * ROWS));
  await measure({ query: 'receipt: read a chunk of packet leaves', owner: 'packet-repository.ts', path: HOT_ID, collection: 'packet_leaves', kind: 'lookup' }, () => packets.chunk('bench-packet', 0));

  // Batch jobs and organisers' searches: whole-collection reads, by design.
  const runId = randomBytes(12).toString('base64url');
  await measure({ query: 'moderation: count matches', owner: 'signature-search-repository.ts', path: 'scan', collection: 'signatures', kind: 'scan' }, () => search.count({ petitionId, country: 'GB' }));
  await measure({ query: 'moderation: first 100 matches', owner: 'signature-search-repository.ts', path: 'scan, stops after the limit', collection: 'signatures', kind: 'scan' }, () =>
    drain(search.search({ petitionId, country: 'GB' }, 100)),
  );
  await measure({ query: 'moderation: invalidate by email', owner: 'signature-invalidation-repository.ts', path: 'scan, then an update by `_id` per match', collection: 'signatures', kind: 'scan' }, () =>
    invalidation.invalidate({ petitionId, emailHash: sample.emailHash as string }, 'confirmed', runId, now()),
  );
  await measure({ query: 'moderation: what a run changed', owner: 'signature-invalidation-repository.ts', path: 'scan', collection: 'signatures', kind: 'scan' }, () => invalidation.changedBy('invalidationRun', runId));
  await measure({ query: 'moderation: restore a run', owner: 'signature-invalidation-repository.ts', path: 'scan, then an update by `_id` per match', collection: 'signatures', kind: 'scan' }, () =>
    invalidation.restore(petitionId, runId, 'confirmed', randomBytes(12).toString('base64url')),
  );
  await measure({ query: 'moderation: invalidate one found by name', owner: 'signature-invalidation-repository.ts', path: 'findOneAndUpdate by `_id` and status', collection: 'signatures', kind: 'lookup' }, () =>
    invalidation.invalidateOne(id, 'confirmed', randomBytes(12).toString('base64url'), now()),
  );
  const since = new Date(Date.now() - 86_400_000);
  await measure({ query: 'trending: top domains', owner: 'signature-search-repository.ts', path: 'scan (aggregate)', collection: 'signatures', kind: 'scan' }, () => search.topHashes(petitionId, 'domainHash', since, 20));
  await measure({ query: 'trending: domain samples', owner: 'signature-search-repository.ts', path: 'scan', collection: 'signatures', kind: 'scan' }, () =>
    search.domainsOf(petitionId, [randomBytes(32).toString('base64url')], since),
  );
  await measure({ query: 'recount: counts by status', owner: SIG, path: 'scan (aggregate)', collection: 'signatures', kind: 'scan' }, () => signatures.countByStatus(petitionId));
  await measure({ query: 'packet: counted signers', owner: 'signature-snapshot-repository.ts', path: 'scan', collection: 'signatures', kind: 'scan' }, () => drain(snapshots.counted(petitionId, now(), null)));
  await measure({ query: 'export: counted signatures', owner: 'signature-snapshot-repository.ts', path: 'scan', collection: 'signatures', kind: 'scan' }, () =>
    pipeline(snapshots.forExport(petitionId, (batch) => batch.length), new Writable({ objectMode: true, write: (_c, _e, done) => done() })),
  );
  await measure({ query: 'delivery update: subscribers', owner: 'signature-subscriber-repository.ts', path: 'scan', collection: 'signatures', kind: 'scan' }, () => drain(subscribers.subscribers(petitionId, 1000)));
  await measure({ query: 'maintenance: expired tokens', owner: 'confirm-token-repository.ts', path: 'scan', collection: 'confirm_tokens', kind: 'scan' }, () => tokens.deleteExpired(new Date(0)));
  await measure({ query: 'maintenance: stale outbox claims', owner: 'outbox-repository.ts', path: 'scan', collection: 'outbox_claims', kind: 'scan' }, () => outbox.deleteStaleClaims(new Date(0)));
  await measure({ query: 'maintenance: expired sessions', owner: 'session-repository.ts', path: 'scan', collection: 'sessions', kind: 'scan' }, () => sessions.deleteExpired(new Date(0)));
  await measure({ query: 'audit: latest 50', owner: 'audit-repository.ts', path: 'scan and sort', collection: 'audit_log', kind: 'scan' }, () => audit.latest(50));

  const sizes = new Map<string, number>();
  for (const c of new Set(rows.map((r) => r.collection))) sizes.set(c, await docsIn(c));
  const ms = (n: number) => (n < 10 ? n.toFixed(2) : n < 1000 ? n.toFixed(1) : n.toFixed(0));
  console.log('| query | owner | access path | collection (documents) | ms |');
  console.log('|---|---|---|---|---|');
  for (const r of rows) console.log(`| ${r.query} | ${r.owner} | ${r.path} | ${r.collection} (${sizes.get(r.collection)!.toLocaleString('en')}) | ${ms(r.ms)} |`);
  const slowestHot = Math.max(...rows.filter((r) => r.kind !== 'scan').map((r) => r.ms));
  console.log(`access_paths=${rows.length} slowest_hot_ms=${slowestHot.toFixed(1)} signatures=${ROWS}`);
} finally {
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}
