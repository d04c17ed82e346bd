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
    const running = await findRunning(stateFile, logger);
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
  const args = [
    '--handler=sqlite',
    `--sqlite-url=${sqliteUrl}`,
    `--listen-addr=127.0.0.1:${port}`,
    '--debug-addr=-',
    '--telemetry=disable',
    '--log-level=error',
    `--state-dir=${stateDir}`,
  ];
  let stopping = false;
  const restarts: number[] = [];
  let server = await launch(bin, args, port);
  const recordState = () => {
    if (!inMemory) writeFileSync(stateFile, JSON.stringify({ pid: server.child.pid, port, owner: process.pid }));
  };
  const giveUp = (details: object, message: string) => {
    logger.fatal(details, message);
    process.exitCode = 1;
    process.kill(process.pid, 'SIGTERM');
  };

  // The database dying under a running app (killed, out of memory) is survivable: SQLite's WAL
  // keeps every committed write, so it is started again on the same port and the driver reconnects;
  // meanwhile requests answer 503. Steps it cut short are finished by the journal's recovery.
  // Dying again and again is not: then the app stops, loudly, for a supervisor to see.
  const watch = (current: Launched): void => {
    void current.exited.then(async (code) => {
      if (stopping) return;
      const now = Date.now();
      restarts.push(now);
      while (restarts.length > 0 && restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > MAX_RESTARTS_PER_MINUTE) {
        giveUp({ code, stderr: current.stderr().slice(-2000) }, 'embedded FerretDB keeps exiting; stopping');
        return;
      }
      logger.error({ code, stderr: current.stderr().slice(-2000) }, 'embedded FerretDB exited unexpectedly; starting it again');
      try {
        server = await launch(bin, args, port);
        recordState();
        if (stopping) server.child.kill('SIGTERM');
        else watch(server);
      } catch (error) {
        giveUp({ err: error }, 'embedded FerretDB could not be started again; stopping');
      }
    });
  };
  watch(server);
  recordState();
  logger.info({ port, inMemory }, 'embedded FerretDB started');

  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    owner: true,
    async stop() {
      stopping = true;
      if (!inMemory) rmSync(stateFile, { force: true });
      const { child, exited } = server;
      if (child.exitCode === null) child.kill('SIGTERM');
      // The deadline is cleared once FerretDB has exited: a pending timer would keep a finished command alive 5 s.
      let deadline: NodeJS.Timeout | undefined;
      const killLate = new Promise<void>((resolve) => {
        deadline = setTimeout(() => resolve(void child.kill('SIGKILL')), 5000);
      });
      await Promise.race([exited, killLate]);
      clearTimeout(deadline);
    },
  };
}

const MAX_RESTARTS_PER_MINUTE = 5;

interface Launched {
  child: ChildProcess;
  exited: Promise<number | null>;
  stderr: () => string;
}

async function launch(bin: string, args: string[], port: number): Promise<Launched> {
  const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await waitForPort(port, child, () => stderr);
  return { child, exited, stderr: () => stderr };
}

/**
 * The FerretDB this DATA_DIR already runs, if its owner (a server) is alive: a command-line script
 * then shares it. One whose owner died (killed with SIGKILL) has nobody to restart it should it die
 * in turn, so it is stopped and the caller starts its own.
 */
async function findRunning(stateFile: string, logger: Logger): Promise<{ port: number } | null> {
  let state: { pid: number; port: number; owner?: number };
  try {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as typeof state;
  } catch {
    return null; // no state file
  }
  if (!alive(state.pid)) return null;
  if (state.owner !== undefined && !alive(state.owner)) {
    logger.warn({ pid: state.pid }, 'stopping the embedded FerretDB left by a server that died');
    process.kill(state.pid, 'SIGTERM');
    for (let i = 0; i < 100 && alive(state.pid); i += 1) await sleep(50);
    if (alive(state.pid)) process.kill(state.pid, 'SIGKILL');
    return null;
  }
  return (await canConnect(state.port)) ? { port: state.port } : null;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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
