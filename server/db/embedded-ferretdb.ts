import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';

export interface EmbeddedDatabase {
  uri: string;
  /** True when this process started FerretDB and so must stop it. */
  owner: boolean;
  stop(): Promise<void>;
}

interface Options {
  bin: string;
  dataDir: string;
  /** SQLite in-memory mode: nothing written to disk, used by tests. */
  inMemory?: boolean;
  logger: Logger;
}

const STATE_FILE = 'ferretdb.json';

export async function startEmbeddedFerretDb(options: Options): Promise<EmbeddedDatabase> {
  const { bin, dataDir, inMemory = false, logger } = options;
  const stateDir = path.join(dataDir, 'ferretdb');
  const stateFile = path.join(stateDir, STATE_FILE);

  if (!inMemory) {
    const running = await findRunning(stateFile);
    if (running) {
      logger.info({ port: running.port }, 'reusing the embedded FerretDB already running for this DATA_DIR');
      return { uri: `mongodb://127.0.0.1:${running.port}/`, owner: false, stop: () => Promise.resolve() };
    }
  }
  if (!existsSync(bin)) {
    throw new Error(`FerretDB is not built at ${bin}. Run "npm run setup:db" (needs Go), or set MONGODB_URI.`);
  }

  mkdirSync(stateDir, { recursive: true });
  const port = await freePort();
  // BEGIN IMMEDIATE: FerretDB updates read, then write, in one transaction; a deferred one that must
  // upgrade to a writer while another holds the lock fails at once with "database is locked" instead
  // of waiting (the busy timeout does not apply to upgrades). See docs/embedded-database.md.
  const sqliteUrl = inMemory ? 'file:./?mode=memory' : `file:${path.join(stateDir, 'sqlite')}/?_txlock=immediate`;
  if (!inMemory) mkdirSync(path.join(stateDir, 'sqlite'), { recursive: true });
  const child = spawn(
    bin,
    [
      '--handler=sqlite',
      `--sqlite-url=${sqliteUrl}`,
      `--listen-addr=127.0.0.1:${port}`,
      '--debug-addr=-',
      '--telemetry=disable',
      '--log-level=error',
      `--state-dir=${stateDir}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  let stopping = false;
  void exited.then((code) => {
    // The embedded database going away under a running app is fatal: say so loudly and stop,
    // so that a supervisor restarts both instead of the app answering 5xx forever.
    if (!stopping) {
      logger.fatal({ code, stderr: stderr.slice(-2000) }, 'embedded FerretDB exited unexpectedly');
      process.exitCode = 1;
      process.kill(process.pid, 'SIGTERM');
    }
  });
  await waitForPort(port, child, () => stderr);
  if (!inMemory) writeFileSync(stateFile, JSON.stringify({ pid: child.pid, port }));
  logger.info({ port, inMemory }, 'embedded FerretDB started');

  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    owner: true,
    async stop() {
      stopping = true;
      if (!inMemory) rmSync(stateFile, { force: true });
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, sleep(5000).then(() => child.kill('SIGKILL'))]);
    },
  };
}

async function findRunning(stateFile: string): Promise<{ port: number } | null> {
  try {
    const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { pid: number; port: number };
    process.kill(state.pid, 0);
    if (await canConnect(state.port)) return { port: state.port };
  } catch {
    // no state file, or a stale one from a process that is gone
  }
  return null;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

async function waitForPort(port: number, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`FerretDB exited with code ${child.exitCode}: ${stderr()}`);
    if (await canConnect(port)) return;
    await sleep(50);
  }
  child.kill('SIGKILL');
  throw new Error(`FerretDB did not start listening within 15 s: ${stderr()}`);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
