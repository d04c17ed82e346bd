/**
 * npm run bench:retention [-- --rows N] — the key rotation and the retention purge over one petition of N
 * signatures (default 323,832, the model campaign), while the app serves.
 *
 * 1. Starts the embedded FerretDB in a temporary DATA_DIR (never MONGODB_URI: the run re-seals every sealed
 *    value in the database under a key it throws away) under an old key, and seeds one petition with N
 *    signatures, closed 31 days ago under a rule of 30 days after closing, outside the timing.
 * 2. Two ceilings in the same run, so that a busy machine moves both: the database's own cursor over the
 *    petition's signatures, and its own `updateOne({_id}, {$set: {pii}})` one at a time over a sample spread
 *    through them (each rewrites one signature's sealed details, as both operations do); and, printed apart,
 *    the same updates 500 to a command, as both operations send them.
 * 3. Starts the compiled server (`dist/server/main.js`, what `npm start` runs) with the new DATA_KEY and the old
 *    one in DATA_KEYS_OLD (README, "Rotating DATA_KEY", step 2), times the petition page from a few visitors
 *    before and during `npm run rotate-key` (its compiled command, a child with the same settings), which is
 *    timed from spawn to exit.
 * 4. Restarts the runtime with the new keys and times the purge's plan (a dry run), then the purge.
 * 5. Checks, untimed: a sample opens under the new key alone, to the signer's details after the rotation and
 *    to the purged ones after the purge; the tallies are unchanged.
 * CPU seconds per process (from /proc) and the SQLite WAL's peak size say where the time goes. Last line:
 * rows=N rotate_rows_per_s=N rotate_s=N serve_p99_before_ms=N serve_p99_during_ms=N purge_plan_s=N
 * purge_rows_per_s=N purge_s=N update_ceiling_per_s=N cursor_docs_per_s=N rotate_ratio=N purge_ratio=N
 * (ratio = our rate / update ceiling).
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { Types, type mongo } from 'mongoose';
import { freePort } from '../server/db/embedded-ferretdb.js';
import { startRuntime, type Runtime } from '../server/runtime.js';
import { createDataProtector } from '../server/shared/data-protector.js';
import { PURGED_DETAILS } from '../server/signatures/signature-purge-repository.js';
import type { SignerDetails } from '../server/signatures/signature-types.js';
import { seedSignatures } from './bench-export-seed.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '323832' } } });
const ROWS = Number(values.rows);
if (!Number.isInteger(ROWS) || ROWS < 1) {
  console.error('Usage: npm run bench:retention [-- --rows N]');
  process.exit(64);
}

const DAY_MS = 86_400_000;
const UPDATE_SAMPLE = 5_000;
const CHECKED = 100;
// A few visitors, each pausing between pages: enough to see the rotation in the tail, not so many that they take the CPU it needs.
const VISITORS = 4;
const VISIT_GAP_MS = 50;
const BASELINE_MS = 10_000;
const CLOCK_TICKS_PER_S = 100;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-bench-retention-'));
const slug = `bench-retention-${randomBytes(3).toString('hex')}`;
const [oldKey, newKey] = [randomBytes(32), randomBytes(32)];
const b64 = (key: Buffer) => key.toString('base64');
Object.assign(process.env, { DATA_DIR: dataDir, MONGODB_URI: '', DATA_KEY: b64(oldKey), HASH_KEY: b64(oldKey), SEED_DEMO: 'false', NODE_ENV: 'development', LOG_LEVEL: 'warn' });
// The app's and the command's settings once the key changes; the hash root stays the first key.
const rotatedEnv = { DATA_KEY: b64(newKey), DATA_KEYS_OLD: b64(oldKey), HASH_KEY: b64(oldKey) };

let runtime: Runtime = await startRuntime({ logLevel: 'warn' });
let server: ChildProcess | undefined;
const signatures = () => runtime.database.connection.collection<{ _id: string; pii: mongo.Binary; purgedAt?: Date }>('signatures');

try {
  const { services, database } = runtime;
  await services.petitionService.create({
    slug,
    title: 'Retention benchmark',
    summary: 'Benchmark.',
    body: 'Benchmark.',
    target: 'Nobody',
    goal: ROWS,
    status: 'open',
    verification: 'email',
    retention: { after: 'closed', days: 30 },
  });
  const petition = await database.connection.collection('petitions').findOne({ slug });
  const petitionId = petition!._id.toHexString();
  let seeded = Date.now();
  await services.tallies.change(petitionId, await seedSignatures(database.connection, services.protector, petitionId, ROWS));
  seeded = (Date.now() - seeded) / 1000;
  // Closed 31 days ago, as test/retention.test.ts closes its petition: the rule's date passed yesterday.
  await database.connection.collection('petitions').updateOne({ _id: petition!._id }, { $set: { status: 'closed', closesAt: new Date(Date.now() - 31 * DAY_MS) } });
  const talliesBefore = await services.tallies.read(petitionId, { fresh: true });
  console.log(`seeded ${ROWS} signatures in ${seeded.toFixed(1)} s, petition closed 31 days ago (rule: 30 days after closing)`);

  const cursor = await rawCursor(petition!._id);
  console.log(`raw cursor: ${cursor.docsPerS.toFixed(0)} documents/s`);
  const updateCeilingPerS = await rawUpdatesPerS(cursor.sample);
  console.log(`raw updateOne by _id: ${updateCeilingPerS.toFixed(0)}/s over ${cursor.sample.length} (${(ROWS / updateCeilingPerS).toFixed(0)} s for ${ROWS}, extrapolated)`);
  const groupedPerS = await rawUpdatesPerS(cursor.sample, 500);
  console.log(`raw updates by _id, 500 to a command (as the rotation and the purge write): ${groupedPerS.toFixed(0)}/s over ${cursor.sample.length}`);
  const checked = cursor.sample.filter((_, i) => i % Math.max(1, Math.floor(cursor.sample.length / CHECKED)) === 0).slice(0, CHECKED).map((s) => s._id);

  const port = await freePort();
  server = spawn(process.execPath, ['dist/server/main.js'], {
    env: { ...process.env, ...rotatedEnv, PORT: String(port), HOST: '127.0.0.1', SMTP_URL: '' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const page = `http://127.0.0.1:${port}/petitions/${slug}`;
  await waitForHealth(server, `http://127.0.0.1:${port}/healthz`);
  const before = await visit(page, sleep(BASELINE_MS));
  console.log(`petition page before: ${describe(before)}`);

  const cpu = cpuOf({ ferretdb: ferretDbPid(), server: server.pid! });
  const rotation = rotate();
  const during = await visit(page, rotation);
  const rotated = await rotation;
  console.log(`petition page during the rotation: ${describe(during)}`);
  console.log(`rotate-key: ${rotated.seconds.toFixed(1)} s (signatures walked in ${rotated.walkS.toFixed(1)} s, then the other collections and the final check ${(rotated.seconds - rotated.walkS).toFixed(1)} s); ${rotated.last}`);
  console.log(`CPU during the rotation: ${cpu.report(rotated.seconds)}; SQLite WAL peak ${rotated.walPeakMb} MB`);
  assert.match(rotated.last, new RegExp(`^rotated=1 resealed=${ROWS} remaining=0 `), 'rotate-key re-sealed every signature and left nothing under the old key');
  server.kill('SIGTERM');
  await new Promise((resolve) => server!.once('exit', resolve));

  // The app's runtime with the new keys, as the operator's after step 2.
  await runtime.close();
  Object.assign(process.env, rotatedEnv);
  runtime = await startRuntime({ logLevel: 'warn' });
  const onlyNew = createDataProtector(newKey, { hashKey: oldKey });
  assert.deepEqual(await unopened(checked, (d) => (d.firstName ? null : `opened to no name`)), [], 'after the rotation, the sample opens under the new key alone');

  let started = performance.now();
  const plan = await runtime.services.purge.run({ actor: 'bench', dryRun: true });
  const planS = (performance.now() - started) / 1000;
  assert.deepEqual(plan.petitions, [{ slug, signatures: ROWS, unconfirmed: 0 }], 'the dry run plans every signature of the petition');
  console.log(`purge plan (dry run): ${planS.toFixed(1)} s`);
  const purgeCpu = cpuOf({ ferretdb: ferretDbPid(), bench: process.pid });
  const wal = walWatch();
  started = performance.now();
  const report = await runtime.services.purge.run({ actor: 'bench' });
  const purgeS = (performance.now() - started) / 1000;
  assert.deepEqual(report.petitions, [{ slug, signatures: ROWS, unconfirmed: 0 }], 'the purge purged every signature of the petition');
  const purgeRowsPerS = ROWS / purgeS;
  console.log(`purge: ${purgeS.toFixed(1)} s (${purgeRowsPerS.toFixed(0)} rows/s, its own plan included); CPU ${purgeCpu.report(purgeS)}; SQLite WAL peak ${wal.stop()} MB`);

  const isPurged = (d: SignerDetails) => (JSON.stringify(d) === JSON.stringify(PURGED_DETAILS) ? null : `opened to ${JSON.stringify(d)}`);
  assert.deepEqual(await unopened(checked, isPurged, true), [], 'after the purge, the sample opens under the new key alone to the purged details');
  assert.deepEqual(await runtime.services.tallies.read(petitionId, { fresh: true }), talliesBefore, 'the tallies are as they were');
  console.log(`checked: ${checked.length} signatures open under the new key alone to the purged details; the tallies are unchanged`);

  const rotateRowsPerS = ROWS / rotated.seconds;
  console.log(
    `rows=${ROWS} rotate_rows_per_s=${rotateRowsPerS.toFixed(0)} rotate_s=${rotated.seconds.toFixed(1)} serve_p99_before_ms=${p99(before.ms)} serve_p99_during_ms=${p99(during.ms)} ` +
      `purge_plan_s=${planS.toFixed(1)} purge_rows_per_s=${purgeRowsPerS.toFixed(0)} purge_s=${purgeS.toFixed(1)} update_ceiling_per_s=${updateCeilingPerS.toFixed(0)} ` +
      `cursor_docs_per_s=${cursor.docsPerS.toFixed(0)} rotate_ratio=${(rotateRowsPerS / updateCeilingPerS).toFixed(2)} purge_ratio=${(purgeRowsPerS / updateCeilingPerS).toFixed(2)}`,
  );

  /** Of these signatures, those that do not open under the new key alone to details `expect` accepts, with why. */
  async function unopened(ids: string[], expect: (details: SignerDetails) => string | null, purged = false): Promise<string[]> {
    const docs = await signatures().find({ _id: { $in: ids } }).toArray();
    const failures = ids.filter((id) => !docs.some((d) => d._id === id)).map((id) => `${id}: missing`);
    for (const doc of docs) {
      try {
        const why = expect(onlyNew.open<SignerDetails>(Buffer.from(doc.pii.buffer), doc._id)) ?? (purged && !doc.purgedAt ? 'no purgedAt' : null);
        if (why) failures.push(`${doc._id}: ${why}`);
      } catch (error) {
        failures.push(`${doc._id}: ${(error as Error).message}`);
      }
    }
    return failures;
  }
} finally {
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server!.once('exit', resolve));
  }
  await runtime.close();
  rmSync(dataDir, { recursive: true, force: true });
}

/**
 * The database's own read speed: the petition's signatures, whole, read and dropped. Keeps a sample spread
 * through them (ids and sealed details) for the update ceiling and the checks.
 */
async function rawCursor(petitionId: Types.ObjectId) {
  const every = Math.max(1, Math.floor(ROWS / UPDATE_SAMPLE));
  const sample: { _id: string; pii: mongo.Binary }[] = [];
  let docs = 0;
  const started = performance.now();
  for await (const doc of signatures().find({ petitionId } as never, { batchSize: 500 })) {
    if (docs % every === 0 && sample.length < UPDATE_SAMPLE) sample.push({ _id: doc._id, pii: doc.pii });
    docs += 1;
  }
  assert.equal(docs, ROWS, 'the raw cursor read every signature');
  return { docsPerS: docs / ((performance.now() - started) / 1000), sample };
}

/**
 * The database's own write speed for one signature: its sealed details set again (re-sealed beforehand, under the
 * same key), by `_id`, one at a time, or `grouped` statements to a command.
 */
async function rawUpdatesPerS(sample: { _id: string; pii: mongo.Binary }[], grouped = 1): Promise<number> {
  const { protector } = runtime.services;
  const updates = sample.map((s) => ({ updateOne: { filter: { _id: s._id }, update: { $set: { pii: protector.reseal(Buffer.from(s.pii.buffer), s._id) as never } } } }));
  let modified = 0;
  const started = performance.now();
  for (let i = 0; i < updates.length; i += grouped) {
    modified += grouped === 1 ? (await signatures().updateOne(updates[i]!.updateOne.filter, updates[i]!.updateOne.update)).modifiedCount : (await signatures().bulkWrite(updates.slice(i, i + grouped), { ordered: false })).modifiedCount;
  }
  const perS = updates.length / ((performance.now() - started) / 1000);
  assert.equal(modified, updates.length, 'every raw update changed its signature');
  return perS;
}

/** `npm run rotate-key` as the operator runs it, from spawn to exit; the signatures' walk ends at their last progress line. */
async function rotate(): Promise<{ seconds: number; walkS: number; last: string; walPeakMb: number }> {
  const wal = walWatch();
  const started = performance.now();
  const child = spawn(process.execPath, ['dist/scripts/rotate-key.js'], { env: { ...process.env, ...rotatedEnv }, stdio: ['ignore', 'pipe', 'inherit'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  let walkS = 0;
  let last = '';
  let batches = 0;
  for await (const line of createInterface({ input: child.stdout })) {
    last = line;
    if (!line.startsWith('signatures:')) continue;
    walkS = (performance.now() - started) / 1000;
    if (++batches % 100 === 0) console.log(`rotate-key at ${walkS.toFixed(0)} s: ${line}`);
  }
  const code = await exited;
  const seconds = (performance.now() - started) / 1000;
  if (code !== 0) throw new Error(`rotate-key exited with ${code}: ${last}`);
  return { seconds, walkS, last, walPeakMb: wal.stop() };
}

/** VISITORS clients asking for the page, each pausing VISIT_GAP_MS after each answer, until `until` settles. */
async function visit(url: string, until: Promise<unknown>): Promise<{ ms: number[]; failed: Record<string, number>; seconds: number }> {
  let done = false;
  void until.finally(() => (done = true)).catch(() => undefined);
  const ms: number[] = [];
  const failed: Record<string, number> = {};
  const started = performance.now();
  await Promise.all(
    Array.from({ length: VISITORS }, async () => {
      while (!done) {
        const sent = performance.now();
        const status = await fetch(url).then(
          async (res) => {
            await res.arrayBuffer();
            return res.status;
          },
          (error: Error) => error.message,
        );
        ms.push(performance.now() - sent);
        if (status !== 200) failed[status] = (failed[status] ?? 0) + 1;
        await sleep(VISIT_GAP_MS);
      }
    }),
  );
  return { ms, failed, seconds: (performance.now() - started) / 1000 };
}

function p99(ms: number[]): number {
  return Math.round([...ms].sort((a, b) => a - b)[Math.max(0, Math.ceil(ms.length * 0.99) - 1)] ?? NaN);
}

function describe({ ms, failed, seconds }: Awaited<ReturnType<typeof visit>>): string {
  const p50 = Math.round([...ms].sort((a, b) => a - b)[Math.floor(ms.length / 2)] ?? NaN);
  return `${ms.length} pages in ${seconds.toFixed(1)} s, p50 ${p50} ms, p99 ${p99(ms)} ms, max ${Math.round(Math.max(...ms))} ms, not 200: ${JSON.stringify(failed)}`;
}

async function waitForHealth(child: ChildProcess, url: string) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}`);
    if (await fetch(url).then((r) => r.ok, () => false)) return;
    await sleep(200);
  }
  throw new Error('the server did not become healthy within 60 s');
}

function ferretDbPid(): number {
  return (JSON.parse(readFileSync(path.join(dataDir, 'ferretdb', 'ferretdb.json'), 'utf8')) as { pid: number }).pid;
}

/** A process's CPU seconds so far: its own, or (children) those of its children it has waited for. */
function cpuSeconds(pid: number | 'self', of: 'own' | 'children' = 'own'): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const [user, system] = of === 'own' ? [fields[11], fields[12]] : [fields[13], fields[14]];
  return (Number(user) + Number(system)) / CLOCK_TICKS_PER_S;
}

/** CPU seconds spent from now by these processes, and by the children this process waits for meanwhile (the command). */
function cpuOf(pids: Record<string, number>) {
  const from = Object.fromEntries(Object.entries(pids).map(([name, pid]) => [name, cpuSeconds(pid)]));
  const children = cpuSeconds('self', 'children');
  return {
    report(wallS: number): string {
      const spent = Object.entries(pids).map(([name, pid]) => `${name} ${(cpuSeconds(pid) - from[name]!).toFixed(1)} s`);
      const command = cpuSeconds('self', 'children') - children;
      return `${[...spent, ...(command > 0 ? [`rotate-key ${command.toFixed(1)} s`] : [])].join(', ')} in ${wallS.toFixed(1)} s`;
    },
  };
}

/** The peak size of SQLite's write-ahead log while it runs, in MB (a long read holds back its checkpoints). */
function walWatch() {
  const dir = path.join(dataDir, 'ferretdb', 'sqlite');
  let peak = 0;
  const timer = setInterval(() => {
    for (const name of readdirSync(dir).filter((n) => n.endsWith('-wal'))) peak = Math.max(peak, statSync(path.join(dir, name), { throwIfNoEntry: false })?.size ?? 0);
  }, 500);
  return {
    stop() {
      clearInterval(timer);
      return Math.round(peak / 1e6);
    },
  };
}
