import mongoose, { type Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { startEmbeddedFerretDb } from './embedded-ferretdb.js';

export interface Database {
  connection: Connection;
  /** Where it lives, so that a second connection (another app instance, a test) can reach it. */
  uri: string;
  embedded: boolean;
  close(): Promise<void>;
}

/** MONGODB_URI when set, else the embedded FerretDB under DATA_DIR (reused if already running). */
export async function openDatabase(
  config: Pick<Config, 'MONGODB_URI' | 'DATA_DIR' | 'FERRETDB_BIN'>,
  logger: Logger,
  options: { inMemory?: boolean; dbName?: string } = {},
): Promise<Database> {
  const embedded = config.MONGODB_URI
    ? null
    : await startEmbeddedFerretDb({ bin: config.FERRETDB_BIN, dataDir: config.DATA_DIR, inMemory: options.inMemory, logger });
  const uri = config.MONGODB_URI ?? embedded!.uri;
  try {
    const connection = await mongoose
      .createConnection(uri, {
        dbName: options.dbName ?? (config.MONGODB_URI ? undefined : 'handover'),
        // On the embedded database, SQLite has one writer at a time and its busy handler wakes
        // waiters in no order: a few connections queued in the driver (first come, first served)
        // give shorter tails than a hundred racing for the lock (docs/embedded-database.md).
        maxPoolSize: config.MONGODB_URI ? 100 : 8,
        serverSelectionTimeoutMS: 5000,
        autoIndex: false,
        autoCreate: false,
      })
      .asPromise();
    return {
      connection,
      uri,
      embedded: embedded !== null,
      async close() {
        await connection.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}
