import { createServer, type RequestListener, type Server } from 'node:http';
import type { Config } from '../config/config.js';

type Timeouts = Pick<Config, 'HTTP_REQUEST_TIMEOUT_SECONDS' | 'HTTP_HEADERS_TIMEOUT_SECONDS' | 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS'>;

/**
 * The HTTP server of the app, for the boot module and the tests alike: with timeouts, so a client
 * trickling its headers or body cannot hold a connection open for minutes.
 */
export function createHttpServer(app: RequestListener, config: Timeouts): Server {
  const headersTimeout = config.HTTP_HEADERS_TIMEOUT_SECONDS * 1000;
  const server = createServer(
    {
      requestTimeout: config.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      headersTimeout,
      // Node looks for requests past these limits only this often (every 30 s by default).
      connectionsCheckingInterval: Math.min(1000, headersTimeout / 4),
    },
    app,
  );
  // Clients are told this in `Keep-Alive: timeout=`; Node itself closes the socket a second later.
  server.keepAliveTimeout = config.HTTP_KEEP_ALIVE_TIMEOUT_SECONDS * 1000;
  return server;
}
