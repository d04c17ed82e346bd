import type { Connection } from 'mongoose';

/** Whether the database answers: a ping, failing after `timeoutMs`. */
export function createDatabasePing(connection: Connection, timeoutMs = 2000): () => Promise<void> {
  return async () => {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        connection.db!.admin().ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs).unref();
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  };
}
