/**
 * The app that `npm run bench:page` drives, in a child process of its own (so that autocannon and the app do not
 * share one event loop): the real services on the embedded database in the DATA_DIR the parent gives, the demo
 * petition with the model campaign's tallies, and `createApp`'s app with one route added for the bench only.
 * Tells the parent its port over IPC, and stops on SIGTERM.
 */
import type { AddressInfo } from 'node:net';
import type { Express, RequestHandler } from 'express';
import { createApp } from '../server/app.js';
import { COUNTRY_CODES } from '../server/countries/countries.js';
import { DEMO_PETITION } from '../server/petitions/demo-petition.js';
import { LISTEN_BACKLOG, startRuntime } from '../server/runtime.js';
import { counter, type TallyChanges } from '../server/tallies/tally-service.js';
import { notFound } from '../server/web/error-handler.js';
import { createHttpServer } from '../server/web/http-server.js';

/** The path of the fixed-string route: the framework's ceiling on this machine. */
const HELLO_PATH = '/bench/hello';
const TOTAL = 323_832;
const COUNTRIES = 184;
const DAYS = 365;
const REFS = { whatsapp: 41_200, copy: 18_450, qr: 9_310, poster: 2_275, x: 6_020, telegram: 3_880 };

type Layer = { handle: unknown; slash?: boolean };
type RouterLike = { stack: Layer[]; get: (path: string, handler: RequestHandler) => unknown };

/** The router, reached from `router` through routers mounted at the root, whose own stack ends in the 404 handler. */
function routerWithNotFound(router: RouterLike): RouterLike | null {
  for (const layer of router.stack) {
    if (layer.handle === notFound) return router;
    const inner = layer.handle as Partial<RouterLike>;
    const found = layer.slash && Array.isArray(inner.stack) ? routerWithNotFound(inner as RouterLike) : null;
    if (found) return found;
  }
  return null;
}

/**
 * The production app has no fixed-string route, and must not get one a visitor could hit. The bench adds it to the
 * app `createApp` built, as the layer just before the public site's 404 handler: a hello request passes every
 * middleware a page request does (request log, the site's security headers, cookies, language, Cache-Control, the
 * CSRF browser id) and every router a page request falls through, so the ratio compares like with like.
 */
function addHelloRoute(app: Express): void {
  const router = routerWithNotFound(app.router);
  if (!router) throw new Error("bench:page: the site's 404 handler was not found; the hello route has nowhere to go");
  router.get(HELLO_PATH, (_req, res) => void res.type('text/plain').send('hello'));
  const layer = router.stack.pop()!;
  router.stack.splice(router.stack.map((l) => l.handle).lastIndexOf(notFound), 0, layer);
}

/** A share of `total` for each of `n` items, falling off like a long tail, summing exactly to `total`. */
function spread(total: number, n: number): number[] {
  const weights = Array.from({ length: n }, (_, i) => 1 / (i + 1));
  const sum = weights.reduce((a, b) => a + b, 0);
  const parts = weights.map((w) => Math.max(1, Math.floor((total * w) / sum)));
  parts[0]! += total - parts.reduce((a, b) => a + b, 0);
  return parts;
}

/**
 * The page reads a petition's counters, never its signatures: writing the counters the model campaign would have
 * (through the tally service, as confirmations do) gives the page exactly what 323,832 signatures would.
 */
function modelTallies(now: Date): TallyChanges {
  const changes: TallyChanges = {};
  const codes = [...COUNTRY_CODES].sort().slice(0, COUNTRIES);
  spread(TOTAL, COUNTRIES).forEach((n, i) => (changes[counter.confirmed(codes[i]!)] = n));
  const perDay = spread(TOTAL, DAYS);
  for (let d = 0; d < DAYS; d++) changes[counter.day(new Date(now.getTime() - d * 86_400_000))] = perDay[d]!;
  for (const [code, n] of Object.entries(REFS)) changes[counter.ref(code)] = n;
  return changes;
}

const runtime = await startRuntime({ logLevel: 'warn' });
const { config, services } = runtime;
await services.seedDemo();
const petition = await services.petitionService.findVisible(DEMO_PETITION.slug);
await services.tallies.change(petition.id, modelTallies(new Date()));

const app = createApp(services);
addHelloRoute(app);
const server = createHttpServer(app, config).listen({ port: 0, host: '127.0.0.1', backlog: LISTEN_BACKLOG }, () => {
  process.send!({ port: (server.address() as AddressInfo).port, slug: petition.slug, helloPath: HELLO_PATH });
});
process.on('SIGTERM', () => {
  server.close(() => void runtime.close().then(() => process.exit(0)));
  server.closeAllConnections();
});
