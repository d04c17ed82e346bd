/**
 * npm run bench:packet [-- --rows N] — a full delivery packet for N signatures (default 323,832,
 * the model campaign), over 184 countries, names in eleven scripts, all countries, full names.
 *
 * 1. Seeds the petition, its tallies and a delivery target in London (embedded FerretDB in a
 *    temporary DATA_DIR, or MONGODB_URI), outside the timing, then stops its own database.
 * 2. Runs the command of `npm run packet` (read from package.json) as a child process, and times it
 *    from spawn to exit (database start-up included). Peak memory is the child's VmHWM, read from
 *    /proc every 100 ms while it runs; the database server's own peak is printed beside it.
 * 3. Checks the ZIP's summary against the tallies.
 * Before the packet, in the same run, the database's own cursor over the same signatures (the
 * packet's filter, fields and batch size, doing nothing with them) is timed: the packet's ceiling.
 * Last line: packet_s=N peak_rss_mb=N pdf_pages=N signatures=N cursor_s=N ratio=N (packet_s / cursor_s)
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Types } from 'mongoose';
import { DEMO_TARGETS } from '../server/deliveries/demo-targets.js';
import { startRuntime } from '../server/runtime.js';
import { benchName } from './bench-names.js';
import { seedSignatures } from './bench-export-seed.js';

const { values } = parseArgs({ options: { rows: { type: 'string', default: '323832' } } });
const ROWS = Number(values.rows);
if (!Number.isInteger(ROWS) || ROWS < 1) {
  console.error('Usage: npm run bench:packet [-- --rows N]');
  process.exit(64);
}

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-bench-packet-'));
const outDir = path.join(dataDir, 'out');
const slug = `bench-packet-${randomBytes(3).toString('hex')}`;
Object.assign(process.env, { DATA_DIR: dataDir, DATA_KEY: randomBytes(32).toString('base64'), SEED_DEMO: 'false', NODE_ENV: 'development', LOG_LEVEL: 'warn' });

const runtime = await startRuntime({ logLevel: 'warn' });
const { services, database } = runtime;
await services.petitionService.create({ slug, title: 'Free the people arbitrarily detained in Xinjiang', summary: 'Benchmark.', body: 'Benchmark.', target: 'The government', goal: ROWS, status: 'open', verification: 'email' });
const petition = (await services.petitionService.findVisible(slug)) as { id: string };
// The demo's London embassy, the first door of the model campaign.
await services.targets.seedDemo(slug, DEMO_TARGETS.filter((t) => t.city === 'London'));
let seeded = Date.now();
await services.tallies.change(petition.id, await seedSignatures(database.connection, services.protector, petition.id, ROWS, benchName));
seeded = (Date.now() - seeded) / 1000;
console.log(`seeded ${ROWS} signatures in ${seeded.toFixed(1)} s, tallies set`);
const tally = await services.tallies.read(petition.id, { fresh: true });
const cursorS = await rawCursorSeconds();
console.log(`raw cursor over the same signatures: ${cursorS.toFixed(1)} s`);
await runtime.close();

try {
  const started = performance.now();
  const child = spawn(process.execPath, [...packetScriptFlags(), '--petition', slug, '--target', 'London', '--out', outDir, '--names', 'full'], {
    env: { ...process.env, INIT_CWD: process.cwd() },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const peaks = { node: 0, db: 0 };
  const poll = setInterval(() => {
    peaks.node = Math.max(peaks.node, hwmMb(child.pid!));
    for (const pid of childrenOf(child.pid!)) peaks.db = Math.max(peaks.db, hwmMb(pid));
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  clearInterval(poll);
  const seconds = (performance.now() - started) / 1000;
  process.stdout.write(output);
  if (code !== 0) throw new Error(`npm run packet exited with ${code}`);

  const zip = output.trim().split('\n').at(-1)!;
  const summary = JSON.parse(execFileSync('unzip', ['-p', zip, 'summary.json'], { encoding: 'utf8' })) as { totals: { signatures: number; countries: number } };
  const pages = Number(/Pages:\s+(\d+)/.exec(execFileSync('sh', ['-c', `unzip -p '${zip}' packet.pdf | pdfinfo -`], { encoding: 'utf8' }))?.[1]);
  if (summary.totals.signatures !== tally.total || summary.totals.signatures !== ROWS) throw new Error(`the packet holds ${summary.totals.signatures} signatures, the tally ${tally.total}`);
  console.log(`packet: ${summary.totals.signatures} signatures from ${summary.totals.countries} countries, ${pages} PDF pages; database server peak ${peaks.db} MB`);
  console.log(`packet_s=${seconds.toFixed(1)} peak_rss_mb=${peaks.node} pdf_pages=${pages} signatures=${summary.totals.signatures} cursor_s=${cursorS.toFixed(1)} ratio=${(seconds / cursorS).toFixed(2)}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

/** The database's own time for what the packet asks of it (server/signatures/signature-snapshot-repository.ts, counted). */
async function rawCursorSeconds(): Promise<number> {
  const filter = { petitionId: new Types.ObjectId(petition.id), status: 'confirmed', confirmedAt: { $lte: new Date() } };
  const projection = { _id: 1, country: 1, consent: 1, pii: 1, confirmedAt: 1 };
  const started = performance.now();
  let docs = 0;
  const cursor = database.connection.collection('signatures').find(filter, { projection, batchSize: 5000, promoteBuffers: true });
  while ((await cursor.next()) !== null) docs += 1;
  if (docs !== ROWS) throw new Error(`the raw cursor read ${docs} documents, expected ${ROWS}`);
  return (performance.now() - started) / 1000;
}

/**
 * The node flags and script of `npm run packet`, read from package.json, so that the benchmark runs
 * exactly that command (as one process whose memory it can read, not under npm and a shell).
 */
function packetScriptFlags(): string[] {
  const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts.packet!;
  const [command, ...args] = script.split(/\s+/);
  if (command !== 'node') throw new Error(`npm run packet is "${script}"; the benchmark expects it to start with node`);
  return args;
}

function hwmMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmHWM:'));
    return Math.round(Number(/(\d+) kB/.exec(line ?? '')?.[1] ?? 0) / 1024);
  } catch {
    return 0; // the process has just exited
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((task) => readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean).map(Number));
  } catch {
    return [];
  }
}
