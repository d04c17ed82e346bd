import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before } from 'node:test';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { createApp } from '../../server/app.js';
import { createServices, type Services } from '../../server/compose.js';
import { loadConfig } from '../../server/config/config.js';
import { LISTEN_BACKLOG } from '../../server/runtime.js';
import { openDatabase, type Database } from '../../server/db/database.js';
import { createHttpServer } from '../../server/web/http-server.js';
import { startSmtpServer, type SmtpServer } from './smtp.js';

export interface Stack {
  baseUrl: string;
  /** Another app instance (own connection, services and mail worker) on the same database. */
  startInstance(): Promise<{ services: Services; stop(): Promise<void> }>;
  services: Services;
  database: Database;
  smtp: SmtpServer;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * The real thing, small: FerretDB (SQLite in memory) started for this test file, the app on a free
 * port of 127.0.0.1, and a real SMTP server receiving what the outbox sends.
 */
export async function startStack(env: Record<string, string> = {}): Promise<Stack> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-test-'));
  const smtp = await startSmtpServer();
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    FERRETDB_BIN: path.resolve('.tools/ferretdb/ferretdb'),
    SMTP_URL: smtp.url,
    OUTBOX_POLL_MS: '50',
    COUNT_CACHE_SECONDS: '0',
    // Counts of petitions without verification are published at once here, so that tests read what they just did;
    // test/count-privacy.test.ts starts its own stack with publication delayed.
    UNVERIFIED_COUNTS_PUBLISH_MINUTES: '0',
    FORM_MIN_FILL_SECONDS: '0',
    RATE_LIMIT_SIGN_PER_MINUTE: '100000',
    RATE_LIMIT_CONFIRM_PER_MINUTE: '100000',
    LOG_LEVEL: 'silent',
    // Passwords hashed at 1/32 of the production cost (a test file signs in up to a hundred times);
    // server/accounts/password.test.ts checks the production parameters, test/login-limits.test.ts runs on them.
    ...((env.NODE_ENV ?? 'test') === 'test' ? { PASSWORD_SCRYPT_LOG2_N: '10' } : {}),
    ...(process.env.MONGODB_URI ? { MONGODB_URI: process.env.MONGODB_URI } : {}),
    ...env,
  });
  const logger = pino({ level: 'silent' });
  const database = await openDatabase(config, logger, { inMemory: false, dbName: `t_${randomBytes(6).toString('hex')}` });
  const dataKey = randomBytes(32);
  const services = await createServices({ config, connection: database.connection, logger, dataKey });
  services.mailWorker.start();
  const server = createHttpServer(createApp(services), config).listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;

  const instances: { stop(): Promise<void> }[] = [];
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    async startInstance() {
      const connection = await mongoose.createConnection(database.uri, { dbName: database.connection.name }).asPromise();
      const other = await createServices({ config, connection, logger, dataKey });
      other.mailWorker.start();
      const instance = {
        services: other,
        async stop() {
          await other.close();
          await connection.close();
        },
      };
      instances.push(instance);
      return instance;
    },
    services,
    database,
    smtp,
    dataDir,
    async stop() {
      for (const instance of instances) await instance.stop();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await services.close();
      if (!process.env.MONGODB_URI) await database.close();
      else {
        await database.connection.dropDatabase();
        await database.close();
      }
      await smtp.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** One stack for the whole test file: started before its first test, handed to `use`, stopped after its last test. */
export function stackPerFile(use: (stack: Stack) => void, env: Record<string, string> = {}): void {
  let started: Stack | undefined;
  before(async () => {
    started = await startStack(env);
    use(started);
  });
  after(async () => {
    await started?.stop();
  });
}
