/**
 * npm run bench:sign — signing throughput on the embedded database.
 *
 * 1. Starts the app (`dist/server/main.js`, what `npm start` runs; embedded FerretDB, fresh DATA_DIR) as a child process.
 * 2. Measures the database's own ceiling: plain driver insertOne calls of documents shaped like a
 *    signature into a collection with the same unique index, 64 at a time, for DURATION seconds.
 * 3. Drives POST /api/v1/petitions/:slug/signatures with unique emails, 64 connections, DURATION s.
 * Last line: sign_rps=N p50_ms=N p99_ms=N db_insert_rps=N ratio=N
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import mongoose from 'mongoose';
import { freePort } from '../server/db/embedded-ferretdb.js';

// The same driver mongoose uses, without declaring it twice in package.json.
const { MongoClient, ObjectId } = mongoose.mongo;
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 20);
const CONCURRENCY = 64;
const SLUG = 'free-xinjiang-detainees';

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-bench-'));
const port = await freePort();
// What npm start runs: the compiled server (prebench:sign has built it, as prestart does).
const app = spawn(process.execPath, ['dist/server/main.js'], {
  env: {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(port),
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    // The benchmark is one client address: lift the per-IP limit so it measures signing, not the limiter.
    RATE_LIMIT_SIGN_PER_MINUTE: '1000000000',
    MONGODB_URI: '',
    SMTP_URL: '',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;

try {
  await waitForHealth();
  const { port: dbPort } = JSON.parse(readFileSync(path.join(dataDir, 'ferretdb', 'ferretdb.json'), 'utf8')) as { port: number };
  const dbInsertRps = await measureDatabaseCeiling(`mongodb://127.0.0.1:${dbPort}/`);
  console.log(`database ceiling: ${dbInsertRps.toFixed(0)} inserts/s (insertOne, concurrency ${CONCURRENCY}, ${DURATION_S} s)`);

  const sign = await driveSigning();
  const ratio = sign.rps / dbInsertRps;
  console.log(`signing: ${sign.ok} accepted, ${sign.failed} not accepted, ${sign.errors} errors in ${DURATION_S} s`);
  const drain = await waitForMailDrain(sign.ok);
  console.log(`mail: ${drain.sent} confirmation emails written ${drain.seconds.toFixed(1)} s after the load ended (signing comes first; the outbox trails a flood)`);
  console.log(`sign_rps=${sign.rps.toFixed(0)} p50_ms=${sign.p50} p99_ms=${sign.p99} db_insert_rps=${dbInsertRps.toFixed(0)} ratio=${ratio.toFixed(2)}`);
} finally {
  app.kill('SIGTERM');
  await new Promise((resolve) => app.once('exit', resolve));
  rmSync(dataDir, { recursive: true, force: true });
}

async function waitForHealth() {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${base}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the app did not become healthy within 30 s');
}

async function measureDatabaseCeiling(uri: string): Promise<number> {
  const client = await MongoClient.connect(uri, { maxPoolSize: CONCURRENCY });
  const collection = client.db('handover_bench').collection('signatures');
  await collection.createIndex({ petitionId: 1, emailHash: 1 }, { unique: true });
  const petitionId = new ObjectId();
  let n = 0;
  const end = Date.now() + DURATION_S * 1000;
  const started = Date.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (Date.now() < end) {
        await collection.insertOne({
          petitionId,
          emailHash: randomBytes(32).toString('base64url'),
          domainHash: randomBytes(32).toString('base64url'),
          ipHash: randomBytes(32).toString('base64url'),
          country: 'GB',
          status: 'pending',
          verification: 'email',
          consent: { updates: false, hideName: false },
          pii: randomBytes(160),
          createdAt: new Date(),
        });
        n += 1;
      }
    }),
  );
  const rps = n / ((Date.now() - started) / 1000);
  await client.db('handover_bench').dropDatabase();
  await client.close();
  return rps;
}

/** Waits until every accepted signature's confirmation email is on disk (watching files, not the database). */
async function waitForMailDrain(expected: number) {
  const started = Date.now();
  const count = () => {
    try {
      return readdirSync(path.join(dataDir, 'mail')).length;
    } catch {
      return 0;
    }
  };
  while (count() < expected) {
    if (Date.now() - started > 900_000) throw new Error(`only ${count()} of ${expected} confirmation emails after 15 min`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return { sent: count(), seconds: (Date.now() - started) / 1000 };
}

async function driveSigning() {
  let i = 0;
  const run = autocannon({
    url: `${base}/api/v1/petitions/${SLUG}/signatures`,
    connections: CONCURRENCY,
    duration: DURATION_S,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: [
      {
        setupRequest: (req) => {
          i += 1;
          return { ...req, body: JSON.stringify({ firstName: 'Bench', lastName: `Signer ${i}`, email: `bench-${i}@example.org`, country: 'GB' }) };
        },
      },
    ],
  });
  const result = await run;
  const ok = result['2xx'];
  return { ok, failed: result.non2xx, errors: result.errors + result.timeouts, rps: ok / DURATION_S, p50: result.latency.p50, p99: result.latency.p99 };
}
