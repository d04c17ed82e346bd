/**
 * npm run bench:export [-- --rows N] — the signatures CSV export and the counts export, timed
 * against the real server with N signatures (default 1,000,000) over 184 countries.
 *
 * 1. Starts the database (embedded FerretDB in a temporary DATA_DIR, or MONGODB_URI), seeds one
 *    petition and an organiser, outside the timing.
 * 2. Starts the compiled server (`dist/server/main.js`, what `npm start` runs) as a child on the same database and data key, signs in over HTTP.
 * 3. Times GET signatures.csv (counting rows as they stream in), GET counts.json and the dashboard.
 * Peak memory is the server's VmHWM (it did nothing else).
 * Two ceilings measured in the same run, so that a busy machine moves both: the database's own
 * cursor over the same documents (the export's filter, fields and batch size, doing nothing with
 * them), and the export pipeline alone (decrypt, format, CSV, into a null sink) fed from documents
 * already in memory, on this process's one core. Last line:
 * export_rows_per_s=N export_peak_rss_mb=N counts_ms=N cursor_docs_per_s=N ratio=N pipeline_rows_per_s=N
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import { freePort } from '../server/db/embedded-ferretdb.js';
import { rowWriter, SIGNATURE_COLUMNS, toSignatureRow } from '../server/exports/export-format.js';
import { startRuntime } from '../server/runtime.js';
import type { SignatureForExport } from '../server/signatures/index.js';
import { csrfFrom } from '../test/helpers/admin.js';
import { aWebClient } from '../test/helpers/web-client.js';
import { seedSignatures } from './bench-export-seed.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '1000000' } } });
const ROWS = Number(values.rows);
if (!Number.isInteger(ROWS) || ROWS < 1) {
  console.error('Usage: npm run bench:export [-- --rows N]');
  process.exit(64);
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-bench-export-'));
const slug = `bench-export-${randomBytes(3).toString('hex')}`;
Object.assign(process.env, { DATA_DIR: dataDir, DATA_KEY: randomBytes(32).toString('base64'), SEED_DEMO: 'false', NODE_ENV: 'development', LOG_LEVEL: 'warn' });
const runtime = await startRuntime({ logLevel: 'warn' });
const { services, database } = runtime;
if (!database.embedded) console.log('MONGODB_URI is set: seeding that database (the bench petition is removed at the end)');

const email = `bench-${randomBytes(4).toString('hex')}@example.org`;
const password = randomBytes(18).toString('base64url');
await services.accounts.create({ email, role: 'organiser', password });
await services.petitionService.create({ slug, title: 'Export benchmark', summary: 'Benchmark.', body: 'Benchmark.', target: 'Nobody', goal: ROWS, status: 'open', verification: 'email' });
const petition = await database.connection.collection('petitions').findOne({ slug });
const petitionId = (petition!._id as { toHexString(): string }).toHexString();

let seeded = Date.now();
await services.tallies.change(petitionId, await seedSignatures(database.connection, services.protector, petitionId, ROWS));
seeded = (Date.now() - seeded) / 1000;
console.log(`seeded ${ROWS} signatures in ${seeded.toFixed(1)} s (${(ROWS / seeded).toFixed(0)}/s), tallies set`);

// What the export asks the database for (server/signatures/signature-snapshot-repository.ts, forExport).
const EXPORT_QUERY = { petitionId: new Types.ObjectId(petitionId), status: 'confirmed' };
const EXPORT_FIELDS = { _id: 1, country: 1, source: 1, consent: 1, pii: 1, createdAt: 1, collectedAt: 1, collectedWhere: 1, language: 1 };
const BATCH = 1000;
const cursorDocsPerS = await rawCursorDocsPerS();
console.log(`raw cursor: ${cursorDocsPerS.toFixed(0)} documents/s`);
const pipelineRowsPerS = await pipelineRowsPerSecond();
console.log(`export pipeline from memory: ${pipelineRowsPerS.toFixed(0)} rows/s`);

const port = await freePort();
// What npm start runs: the compiled server (prebench:export has built it, as prestart does).
const server = spawn(process.execPath, ['dist/server/main.js'], {
  env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', SMTP_URL: '' },
  stdio: ['ignore', 'inherit', 'inherit'],
});
const base = `http://127.0.0.1:${port}`;

try {
  await waitForHealth();
  const client = aWebClient(base);
  const login = await client.post('/admin/login', { _csrf: csrfFrom((await client.get('/admin/login')).html), email, password });
  if (login.status !== 303) throw new Error(`sign-in failed with ${login.status}`);
  console.log(`server before the export: VmRSS ${memoryMb('VmRSS')} MB, VmHWM ${memoryMb('VmHWM')} MB`);

  const exported = await download(client, `/admin/petitions/${slug}/export/signatures.csv`);
  const peakMb = memoryMb('VmHWM');
  if (exported.rows !== ROWS) throw new Error(`the export had ${exported.rows} rows, expected ${ROWS}`);
  const rowsPerS = ROWS / exported.seconds;
  console.log(`signatures.csv: ${exported.rows} rows, ${(exported.bytes / 1e6).toFixed(1)} MB in ${exported.seconds.toFixed(1)} s (${rowsPerS.toFixed(0)} rows/s); server VmHWM ${peakMb} MB`);

  const countsMs = await medianMs(client, `/admin/petitions/${slug}/export/counts.json`);
  const dashboardMs = await medianMs(client, `/admin/petitions/${slug}`);
  console.log(`counts.json median ${countsMs} ms, dashboard median ${dashboardMs} ms (of 7 runs each)`);
  console.log(`dashboard_ms=${dashboardMs}`);
  const ratio = rowsPerS / cursorDocsPerS;
  console.log(
    `export_rows_per_s=${rowsPerS.toFixed(0)} export_peak_rss_mb=${peakMb} counts_ms=${countsMs} cursor_docs_per_s=${cursorDocsPerS.toFixed(0)} ratio=${ratio.toFixed(2)} pipeline_rows_per_s=${pipelineRowsPerS.toFixed(0)}`,
  );
} finally {
  server.kill('SIGTERM');
  if (server.exitCode === null) await new Promise((resolve) => server.once('exit', resolve));
  if (!database.embedded) await cleanUp();
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/** The database's own speed: the export's query, every document read and dropped. */
async function rawCursorDocsPerS(): Promise<number> {
  const started = performance.now();
  let docs = 0;
  const cursor = database.connection.collection('signatures').find(EXPORT_QUERY, { projection: EXPORT_FIELDS, batchSize: BATCH, promoteBuffers: true });
  while ((await cursor.next()) !== null) docs += 1;
  if (docs !== ROWS) throw new Error(`the raw cursor read ${docs} documents, expected ${ROWS}`);
  return docs / ((performance.now() - started) / 1000);
}

/**
 * The export's own cost without the database: the functions the export runs (toSignatureRow,
 * rowWriter) over up to 200,000 rows, cycling through 20,000 documents read beforehand, in
 * batches of the cursor's batch size as the export gets them.
 */
async function pipelineRowsPerSecond(): Promise<number> {
  const sample = await database.connection
    .collection('signatures')
    .find<SignatureForExport>(EXPORT_QUERY, { projection: EXPORT_FIELDS, promoteBuffers: true })
    .limit(Math.min(ROWS, 20_000))
    .toArray();
  const rows = Math.min(ROWS, 200_000);
  const toRow = toSignatureRow(services.protector);
  function* batches() {
    for (let from = 0; from < rows; from += BATCH) {
      const batch = [];
      for (let i = from; i < Math.min(rows, from + BATCH); i++) batch.push(sample[i % sample.length]!);
      yield batch.map(toRow);
    }
  }
  const nowhere = new Writable({ write: (_chunk, _encoding, done) => done() });
  const started = performance.now();
  await pipeline(Readable.from(batches(), { highWaterMark: 1 }), rowWriter(SIGNATURE_COLUMNS, 'csv'), nowhere);
  return rows / ((performance.now() - started) / 1000);
}

async function waitForHealth() {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    if (await fetch(`${base}/healthz`).then((r) => r.ok, () => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('the server did not become healthy within 60 s');
}

/** The server's resident (VmRSS) or peak resident (VmHWM) memory, in MB. */
function memoryMb(field: 'VmRSS' | 'VmHWM'): number {
  const line = readFileSync(`/proc/${server.pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return Math.round(Number(/(\d+) kB/.exec(line ?? '')?.[1] ?? NaN) / 1024);
}

/** Streams a download to nowhere, counting records by their line ends (bench names hold none). */
async function download(client: ReturnType<typeof aWebClient>, url: string) {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const started = performance.now();
  const res = await fetch(`${base}${url}`, { headers: { cookie } });
  if (res.status !== 200 || !res.body) throw new Error(`${url} answered ${res.status}`);
  let lines = 0;
  let bytes = 0;
  for await (const chunk of res.body) {
    bytes += chunk.length;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
  }
  return { rows: lines - 1, bytes, seconds: (performance.now() - started) / 1000 };
}

async function medianMs(client: ReturnType<typeof aWebClient>, url: string): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const started = performance.now();
    const res = await client.get(url);
    if (res.status !== 200) throw new Error(`${url} answered ${res.status}`);
    times.push(performance.now() - started);
  }
  return Math.round(times.sort((a, b) => a - b)[3]!);
}

async function cleanUp() {
  const { connection } = database;
  const _id = petition!._id;
  await connection.collection('signatures').deleteMany({ petitionId: _id });
  await connection.collection('petitions').deleteOne({ _id });
  await connection.collection('tallies').deleteOne({ _id: petitionId as never });
  await connection.collection('users').deleteOne({ email });
}
