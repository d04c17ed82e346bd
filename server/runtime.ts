import { existsSync } from 'node:fs';
import os from 'node:os';
import type { Logger } from 'pino';
import { ConfigError, loadConfig, type Config } from './config/config.js';
import { resolveDataKeys } from './config/data-key.js';
import { createKeyRotationRepository } from './config/key-rotation-repository.js';
import { keyIdOf } from './shared/data-protector.js';
import { openDatabase, type Database } from './db/database.js';
import { createServices, type Services } from './compose.js';
import { createLogger } from './shared/logger.js';

export interface Runtime {
  config: Config;
  logger: Logger;
  database: Database;
  services: Services;
  close(): Promise<void>;
}

/** What the server and every command-line script share: config, database, services. */
export async function startRuntime(options: { logLevel?: string } = {}): Promise<Runtime> {
  let config: Config;
  try {
    // A local .env, if present, fills what the environment leaves unset (Node's own loader, no dependency).
    if (existsSync('.env')) process.loadEnvFile('.env');
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
  const logger = createLogger(options.logLevel ?? config.LOG_LEVEL);
  const database = await openDatabase(config, logger);
  try {
    const keys = resolveDataKeys(config);
    await createKeyRotationRepository(database.connection).checkHashKey(keyIdOf(keys.hashKey));
    const services = await createServices({ config, connection: database.connection, logger, ...keys });
    return {
      config,
      logger,
      database,
      services,
      async close() {
        await services.close();
        await database.close();
      },
    };
  } catch (error) {
    await database.close();
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(78);
    }
    throw error;
  }
}

/** Pending connections the kernel may queue for us (capped by net.core.somaxconn). */
export const LISTEN_BACKLOG = 4096;

/** Who a command-line action is recorded as in the audit log. */
export const cliActor = () => `cli:${os.userInfo().username}`;
