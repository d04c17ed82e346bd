/**
 * npm run bench:page — how many petition pages the app serves, against the framework's ceiling on this machine.
 *
 * 1. Starts the app (`bench-page-server.ts`) in a child process on the embedded FerretDB in a fresh DATA_DIR, with
 *    the demo petition counting what the model campaign counted (323,832 signatures, 184 countries, a year of days).
 * 2. Drives each target below with autocannon, CONNECTIONS connections, DURATION seconds each in ROUNDS rounds,
 *    as first visits (no cookies): the page in English and in Arabic, the share image, the embed, and a route answering a
 *    fixed string through the same app-level middleware. p99 is the worst round's.
 * Last line: page_rps=N page_p99_ms=N image_rps=N hello_rps=N ratio=N (page_rps / hello_rps; the target is ≥ 0.5).
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const ROUNDS = 5;
const CONNECTIONS = 32;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-bench-page-'));
// Its sibling, compiled (npm run bench:page) or through tsx, which the child inherits in execArgv.
const server = fork(path.join(import.meta.dirname, `bench-page-server${path.extname(import.meta.filename)}`), {
  env: {
    ...process.env,
    // As deployed: production caches compiled views (development recompiles every template on every render) and
    // sends the production headers and cookies. It asks for these four; the bench sends no mail.
    NODE_ENV: 'production',
    DATA_KEY: randomBytes(32).toString('base64'),
    BASE_URL: 'http://127.0.0.1',
    SMTP_URL: 'smtp://127.0.0.1:9',
    PRIVACY_CONTACT: 'mailto:privacy@example.org',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SEED_DEMO: 'false',
    MONGODB_URI: '',
  },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});

try {
  const { port, slug, helloPath } = await new Promise<{ port: number; slug: string; helloPath: string }>((resolve, reject) => {
    server.once('message', (m) => resolve(m as { port: number; slug: string; helloPath: string }));
    server.once('exit', (code) => reject(new Error(`the bench server exited (${code}) before listening`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const page = `/petitions/${slug}`;
  // Every target is one line; the figures below read them by name.
  const targets = [
    { name: 'hello', path: helloPath },
    { name: 'page', path: page },
    { name: 'page_ar', path: `/ar${page}` },
    { name: 'image', path: `${page}/share.png` },
    { name: 'embed', path: `/embed${page}` },
  ];

  for (const target of targets) {
    // The first request draws the share image and fills caches: the runs measure what visitors after it get.
    const first = await fetch(base + target.path);
    if (first.status !== 200) throw new Error(`${target.path} answered ${first.status}, not 200`);
    await first.arrayBuffer();
  }
  // Rounds of every target in turn: the machine is shared, and its load changes by the second, so each target and
  // the ceiling get a share of every moment of the run rather than one moment each.
  const results = new Map(targets.map((t) => [t.name, { ok: 0, seconds: 0, p99: 0, other: 0 }]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of targets) {
      const run = await autocannon({ url: base + target.path, connections: CONNECTIONS, duration: DURATION_S / ROUNDS });
      const sum = results.get(target.name)!;
      sum.ok += run['2xx'];
      sum.seconds += DURATION_S / ROUNDS;
      sum.p99 = Math.max(sum.p99, run.latency.p99);
      sum.other += run.non2xx + run.errors + run.timeouts;
      // autocannon leaves requests in flight when its time is up: the next run starts once the app has answered them.
      await (await fetch(base + helloPath)).text();
    }
  }
  for (const target of targets) {
    const sum = results.get(target.name)!;
    console.log(`${target.name} ${target.path}: ${(sum.ok / sum.seconds).toFixed(0)} req/s, p99 ${sum.p99} ms (worst round), ${sum.other} failed`);
  }

  const figure = (name: string) => ({ rps: results.get(name)!.ok / results.get(name)!.seconds, p99: results.get(name)!.p99 });
  const ratio = figure('page').rps / figure('hello').rps;
  console.log(`page_ar_rps=${figure('page_ar').rps.toFixed(0)} page_ar_p99_ms=${figure('page_ar').p99} embed_rps=${figure('embed').rps.toFixed(0)} embed_p99_ms=${figure('embed').p99}`);
  console.log(
    `page_rps=${figure('page').rps.toFixed(0)} page_p99_ms=${figure('page').p99} image_rps=${figure('image').rps.toFixed(0)} hello_rps=${figure('hello').rps.toFixed(0)} ratio=${ratio.toFixed(2)}`,
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => (server.exitCode === null ? server.once('exit', resolve) : resolve(null)));
  rmSync(dataDir, { recursive: true, force: true });
}
