import type { AddressInfo } from 'node:net';
import { createApp } from './app.js';
import { LISTEN_BACKLOG, startRuntime } from './runtime.js';
import { createHttpServer } from './web/http-server.js';

const runtime = await startRuntime();
const { config, logger, services, database } = runtime;

if (database.embedded && config.SEED_DEMO && (await services.isEmpty())) {
  await services.seedDemo();
  logger.info('empty embedded database: added the demo petition');
}
// Journal entries left by a crash are finished before the first request, so counts are exact at once.
// The embedded database serves one app instance, so every entry there is a dead process's; on
// MongoDB another instance may still be working on a recent one (docs/embedded-database.md).
const recoverAfterMs = config.JOURNAL_RECOVER_AFTER_SECONDS * 1000;
await services.recovery.run(new Date(Date.now() - (database.embedded ? 0 : recoverAfterMs)));
services.recovery.start(Math.min(recoverAfterMs, 30_000), recoverAfterMs);
services.mailWorker.start();
services.maintenance.start();

// A flood opens connections faster than a busy event loop accepts them: with Node's default queue
// of 511 the kernel overflows it and clients see resets, so ask for the system's maximum.
const server = createHttpServer(createApp(services), config).listen({ port: config.PORT, host: config.HOST, backlog: LISTEN_BACKLOG }, () => {
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
