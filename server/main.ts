import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { startRuntime } from './runtime.js';

const runtime = await startRuntime();
const { config, logger, services, database } = runtime;

if (database.embedded && config.SEED_DEMO && (await services.isEmpty())) {
  await services.seedDemo();
  logger.info('empty embedded database: added the demo petition');
}
services.mailWorker.start();
services.maintenance.start();

const server = createApp(services).listen(config.PORT, config.HOST, () => {
  const { port } = server.address() as AddressInfo;
  logger.info({ port }, `Handover is running on http://localhost:${port}`);
});
server.on('error', (error: NodeJS.ErrnoException) => {
  logger.fatal({ code: error.code }, `cannot listen on ${config.HOST}:${config.PORT}${error.code === 'EADDRINUSE' ? ' (port in use; set PORT)' : ''}`);
  void runtime.close().finally(() => process.exit(1));
});

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  logger.info({ signal }, 'shutting down');
  server.close(() => {
    runtime
      .close()
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  });
  server.closeIdleConnections();
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
