/**
 * npm run bench:confirm [-- --rows N --confirm M --clients C] — confirming signatures by their email
 * links on a campaign of N signatures (default 323,832, the model campaign), M of them pending
 * (default 2,000), C clients at a time (default 16).
 *
 * 1. Seeds the petition, N - M confirmed signatures (the packet benchmark's seeding), M pending ones
 *    through the signature repository with their confirmation tokens, and the tallies, outside the
 *    timing (embedded FerretDB in a temporary DATA_DIR), then stops its own database.
 * 2. Starts the app (`dist/server/main.js`, what `npm start` runs; prebench:confirm has built it) as a
 *    child process on that DATA_DIR.
 * 3. Measures the database's own costs through the driver, while the app is idle: the median
 *    findOne({_id}) and findOneAndUpdate({_id}) on the signatures collection, one at a time, and
 *    findOneAndUpdate's rate CONCURRENCY at a time: the raw rate of single-signature updates, the
 *    ceiling (a confirmation makes one such update, grouped with others in one command).
 * 4. POSTs every token once to /api/v1/confirm/:token, CONCURRENCY clients, timing each request.
 * 5. Checks that every answer was 200 and that the tally moved by exactly M from pending to confirmed.
 * Last line: confirm_rps=N p50_ms=N p99_ms=N signatures=N db_lookup_ms=N db_update_ms=N db_update_rps=N ratio=N
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { mongo } from 'mongoose';
import { COUNTRY_CODES } from '../server/countries/countries.js';
import { freePort } from '../server/db/embedded-ferretdb.js';
import { sealRecipient } from '../server/mail/sealed-recipient.js';
import { startRuntime } from '../server/runtime.js';
import { createSignatureRepository, signatureId, type NewSignatureRecord } from '../server/signatures/signature-repository.js';
import { counter, type Tally } from '../server/tallies/tally-service.js';
import { seedSignatures } from './bench-export-seed.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '323832' }, confirm: { type: 'string', default: '2000' }, clients: { type: 'string', default: '16' } } });
const ROWS = Number(values.rows);
const CONFIRM = Number(values.confirm);
const CONCURRENCY = Number(values.clients);
if (![ROWS, CONFIRM, CONCURRENCY].every((n) => Number.isInteger(n) && n >= 1) || ROWS < CONFIRM) {
  console.error('Usage: npm run bench:confirm [-- --rows N --confirm M --clients C]   (1 <= M <= N; defaults 323832, 2000, 16)');
  process.exit(64);
}
const DB_SAMPLES = 200;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-bench-confirm-'));
const slug = `bench-confirm-${randomBytes(3).toString('hex')}`;
Object.assign(process.env, { DATA_DIR: dataDir, DATA_KEY: randomBytes(32).toString('base64'), SEED_DEMO: 'false', NODE_ENV: 'development', LOG_LEVEL: 'warn', MONGODB_URI: '', SMTP_URL: '' });

let app: ChildProcess | undefined;
let failed = false;
try {
  const { petitionId, tokens, before } = await seed();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  app = spawn(process.execPath, ['dist/server/main.js'], {
    // The benchmark is one client address: lift the per-IP limit so it measures confirming, not the limiter.
    env: { ...process.env, PORT: String(port), RATE_LIMIT_CONFIRM_PER_MINUTE: '1000000000' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  await waitForHealth(base);
  // A second runtime on the app's running database, to read the tally afterwards and time the driver.
  const checker = await startRuntime({ logLevel: 'warn' });
  try {
    const ceiling = await measureDatabase(checker.database.connection.db!);
    console.log(
      `database: findOne({_id}) median ${ceiling.lookupMs.toFixed(2)} ms, findOneAndUpdate({_id}) median ${ceiling.updateMs.toFixed(2)} ms ` +
        `(${DB_SAMPLES} each, one at a time); findOneAndUpdate({_id}) ${ceiling.updateRps.toFixed(0)}/s at concurrency ${CONCURRENCY}`,
    );

    await warmUp(base);
    const run = await driveConfirmations(base, tokens);
    const byStatus = Object.entries(run.statuses).map(([status, n]) => `${status}: ${n}`).join(', ');
    console.log(`confirming: ${CONFIRM} tokens in ${run.seconds.toFixed(2)} s, ${CONCURRENCY} clients; answers by status: ${byStatus}`);

    // Counts are written just after each answer (the journal guarantees them): allow the app a moment.
    const after = await settledTally(checker, petitionId, before);
    const problems = [
      ...(run.statuses['200'] === CONFIRM ? [] : [`${CONFIRM - (run.statuses['200'] ?? 0)} of ${CONFIRM} confirmations were not answered 200 (${byStatus})`]),
      ...tallyProblems(before, after),
    ];
    for (const p of problems) console.error(`FAILED: ${p}`);
    failed = problems.length > 0;
    const ratio = run.rps / ceiling.updateRps;
    console.log(`ceiling: db_update_rps=${ceiling.updateRps.toFixed(0)} (driver findOneAndUpdate by _id, concurrency ${CONCURRENCY}); confirm_rps / db_update_rps = ${ratio.toFixed(2)}`);
    console.log(
      `confirm_rps=${run.rps.toFixed(0)} p50_ms=${run.p50.toFixed(1)} p99_ms=${run.p99.toFixed(1)} signatures=${after.total} ` +
        `db_lookup_ms=${ceiling.lookupMs.toFixed(2)} db_update_ms=${ceiling.updateMs.toFixed(2)} db_update_rps=${ceiling.updateRps.toFixed(0)} ratio=${ratio.toFixed(2)}`,
    );
  } finally {
    await checker.close();
  }
} finally {
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app!.once('exit', resolve));
    app.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
}
if (failed) process.exit(1);

/** The petition, N - M confirmed and M pending signatures with their tokens, and the tallies that count them. */
async function seed() {
  const runtime = await startRuntime({ logLevel: 'warn' });
  try {
    const { services, database } = runtime;
    await services.petitionService.create({ slug, title: 'Free the people arbitrarily detained in Xinjiang', summary: 'Benchmark.', body: 'Benchmark.', target: 'The government', goal: ROWS, status: 'open', verification: 'email' });
    const { id } = (await services.petitionService.findVisible(slug)) as { id: string };
    let seconds = Date.now();
    const changes = await seedSignatures(database.connection, services.protector, id, ROWS - CONFIRM);

    const countries = [...COUNTRY_CODES].sort();
    const now = new Date();
    const pending: NewSignatureRecord[] = Array.from({ length: CONFIRM }, (_, i) => ({
      petitionId: id,
      emailHash: services.protector.emailHash(`confirm-${i}@example.org`),
      domainHash: services.protector.domainHash('example.org'),
      ipHash: services.protector.ipHash('127.0.0.1'),
      country: countries[i % countries.length]!,
      status: 'pending',
      verification: 'email',
      consent: { updates: i % 3 === 0, hideName: false },
      ref: null,
      details: { firstName: 'Bench', lastName: `Confirmer ${i}`, email: `confirm-${i}@example.org`, postcode: '', comment: '' },
      createdAt: now,
    }));
    await createSignatureRepository(database.connection, services.protector).insertMany(pending);
    // As the mail worker issues them: with the sealed recipient and language of the "counted" email each confirmation queues.
    const targets = pending.map((r) => {
      const signature = signatureId(id, r.emailHash);
      return { signatureId: signature, petitionId: id, country: r.country, recipient: sealRecipient(services.protector, signature, r.details), lang: 'en' };
    });
    const tokens = await services.tokens.issueMany(targets, new Date(now.getTime() + 86_400_000));
    changes[counter.pending] = CONFIRM;
    await services.tallies.change(id, changes);
    seconds = (Date.now() - seconds) / 1000;
    console.log(`seeded ${ROWS - CONFIRM} confirmed and ${CONFIRM} pending signatures with their tokens in ${seconds.toFixed(1)} s, tallies set`);
    return { petitionId: id, tokens, before: await services.tallies.read(id, { fresh: true }) };
  } finally {
    await runtime.close();
  }
}

async function waitForHealth(base: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the app did not become healthy within 60 s');
}

/** Driver-level costs of the calls a confirmation makes on the signatures collection, on confirmed signatures (left unchanged). */
async function measureDatabase(db: mongo.Db) {
  const signatures = db.collection<{ _id: string }>('signatures');
  const ids = (await signatures.find({}, { projection: { _id: 1 } }).limit(CONFIRM).toArray()).map((d) => d._id);
  // A confirmation's update: on a confirmed signature $min keeps its confirmation time, so nothing changes.
  const update = (id: string) => signatures.findOneAndUpdate({ _id: id }, { $set: { status: 'confirmed' }, $min: { confirmedAt: new Date() } }, { returnDocument: 'before' });
  const lookupMs = await medianMs(ids.slice(0, DB_SAMPLES), (id) => signatures.findOne({ _id: id }));
  const updateMs = await medianMs(ids.slice(0, DB_SAMPLES), update);
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < ids.length) await update(ids[next++]!);
    }),
  );
  return { lookupMs, updateMs, updateRps: ids.length / ((performance.now() - started) / 1000) };
}

async function medianMs(ids: string[], call: (id: string) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (const id of ids) {
    const t0 = performance.now();
    await call(id);
    times.push(performance.now() - t0);
  }
  return percentile(times, 50);
}

/** Unknown tokens (404) through the same route, so that the timed run does not pay the first requests' start-up. */
async function warmUp(base: string) {
  await Promise.all(Array.from({ length: CONCURRENCY }, () => fetch(`${base}/api/v1/confirm/${randomBytes(32).toString('base64url')}`, { method: 'POST' }).then((r) => r.arrayBuffer())));
}

/** Each token POSTed exactly once, CONCURRENCY requests in flight; every request's latency and status kept. */
async function driveConfirmations(base: string, all: string[]) {
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < all.length) {
        const token = all[next++]!;
        const t0 = performance.now();
        let status: string;
        try {
          const res = await fetch(`${base}/api/v1/confirm/${token}`, { method: 'POST', headers: { accept: 'application/json' } });
          const body = (await res.json()) as { status?: string };
          status = res.status === 200 && body.status !== 'confirmed' ? `200 with status ${body.status}` : String(res.status);
        } catch (error) {
          status = `network error (${(error as Error).message})`;
        }
        latencies.push(performance.now() - t0);
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  // Only what was confirmed counts towards the rate; latencies are of every answer.
  return { seconds, rps: (statuses['200'] ?? 0) / seconds, p50: percentile(latencies, 50), p99: percentile(latencies, 99), statuses };
}

async function settledTally(runtime: { services: { tallies: { read(id: string, o: { fresh: boolean }): Promise<Tally> } } }, petitionId: string, before: Tally): Promise<Tally> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const tally = await runtime.services.tallies.read(petitionId, { fresh: true });
    if (tally.confirmed - before.confirmed >= CONFIRM || Date.now() > deadline) return tally;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function tallyProblems(before: Tally, after: Tally): string[] {
  const problems: string[] = [];
  if (after.confirmed - before.confirmed !== CONFIRM) problems.push(`confirmed went from ${before.confirmed} to ${after.confirmed}, not up by ${CONFIRM}`);
  if (before.pending - after.pending !== CONFIRM) problems.push(`pending went from ${before.pending} to ${after.pending}, not down by ${CONFIRM}`);
  if (after.total !== ROWS) problems.push(`the tally counts ${after.total} signatures, the collection holds ${ROWS}`);
  return problems;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}
