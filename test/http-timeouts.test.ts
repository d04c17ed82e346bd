import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import { loadConfig } from '../server/config/config.js';
import { aSigner, givenPetition } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';

// Short limits, far enough apart that each timeout is told from the next one on a busy machine.
const HEADERS_S = 1;
const REQUEST_S = 6;
const KEEP_ALIVE_S = 1;
// How late a limit may act: Node checks every 250 ms here, and a busy event loop adds more.
const SLACK_S = 3.5;

interface Outcome {
  /** Everything the server wrote back. */
  response: string;
  /** When the server closed the connection, from the first byte sent; null if it was still open when we gave up. */
  closedAfterS: number | null;
}

/** Sends `parts` on a raw connection, `gapMs` apart, until the server closes it or `giveUpS` pass. */
async function trickle(stack: Stack, parts: string[], gapMs: number, giveUpS = 20): Promise<Outcome> {
  const socket = net.connect(Number(new URL(stack.baseUrl).port), '127.0.0.1');
  await once(socket, 'connect');
  const started = performance.now();
  let response = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (response += chunk));
  // The server may reset a connection we are still writing to: that is a close like any other.
  socket.on('error', () => undefined);
  const closed = new Promise<number>((resolve) => socket.once('close', () => resolve((performance.now() - started) / 1000)));
  void (async () => {
    for (const part of parts) {
      if (socket.destroyed) return;
      socket.write(part);
      await sleep(gapMs);
    }
  })();
  const closedAfterS = await Promise.race([closed, sleep(giveUpS * 1000).then(() => null)]);
  socket.destroy();
  return { response, closedAfterS };
}

const statusOf = (response: string) => /^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 'none';
const describeOutcome = (o: Outcome) => `closed after ${o.closedAfterS?.toFixed(2) ?? 'never'} s, answer ${statusOf(o.response)}`;

function aRequest(path: string, body: string, extraHeaders = '') {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extraHeaders}\r\n`;
}

describe('server timeouts for slow clients', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack({
      HTTP_HEADERS_TIMEOUT_SECONDS: String(HEADERS_S),
      HTTP_REQUEST_TIMEOUT_SECONDS: String(REQUEST_S),
      HTTP_KEEP_ALIVE_TIMEOUT_SECONDS: String(KEEP_ALIVE_S),
    });
  });
  after(async () => {
    await stack.stop();
  });

  test('when a client trickles a request body one byte every half second, then the server answers 408 or closes the connection once the request timeout has passed', async () => {
    const body = JSON.stringify({ receipt: 'x'.repeat(200) });
    const outcome = await trickle(stack, [aRequest('/api/v1/verify', body), ...body], 500);

    assert.ok(outcome.closedAfterS !== null, `the connection is still open: ${describeOutcome(outcome)}`);
    assert.ok(['408', 'none'].includes(statusOf(outcome.response)), describeOutcome(outcome));
    assert.ok(outcome.closedAfterS >= REQUEST_S - 0.5 && outcome.closedAfterS <= REQUEST_S + SLACK_S, `expected ${REQUEST_S} s: ${describeOutcome(outcome)}`);
  });

  test('when a client trickles its headers, then the connection is closed once the headers timeout has passed, long before the request timeout', async () => {
    const headers = ['GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Slow-${i}: 1\r\n`)];
    const outcome = await trickle(stack, headers, 250);

    assert.ok(outcome.closedAfterS !== null, `the connection is still open: ${describeOutcome(outcome)}`);
    assert.ok(['408', 'none'].includes(statusOf(outcome.response)), describeOutcome(outcome));
    assert.ok(outcome.closedAfterS >= HEADERS_S - 0.2 && outcome.closedAfterS <= HEADERS_S + SLACK_S, `expected ${HEADERS_S} s: ${describeOutcome(outcome)}`);
  });

  test('when a signature is sent slowly but whole within the request timeout, then it is taken as usual', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const body = JSON.stringify(aSigner());
    // Headers at once, then the body in ten pieces over about 2.5 s: longer than the headers timeout, well within the request timeout.
    const pieces = Array.from({ length: 10 }, (_, i) => body.slice((i * body.length) / 10, ((i + 1) * body.length) / 10));
    const outcome = await trickle(stack, [aRequest(`/api/v1/petitions/${petition.slug}/signatures`, body, 'Connection: close\r\n'), ...pieces], 250);

    assert.equal(statusOf(outcome.response), '202', describeOutcome(outcome));
    assert.match(outcome.response, /"status":"signed"/);
  });

  test('when a kept-alive connection stays idle after its answer, then the server closes it after the keep-alive timeout', async () => {
    const outcome = await trickle(stack, ['GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n'], 0);

    assert.equal(statusOf(outcome.response), '200', describeOutcome(outcome));
    assert.match(outcome.response, new RegExp(`Keep-Alive: timeout=${KEEP_ALIVE_S}`, 'i'));
    assert.ok(outcome.closedAfterS !== null && outcome.closedAfterS <= KEEP_ALIVE_S + SLACK_S, describeOutcome(outcome));
  });
});

describe('server timeout settings', () => {
  test('when the headers timeout is longer than the request timeout, then the configuration is refused with a message naming it', () => {
    assert.throws(() => loadConfig({ HTTP_HEADERS_TIMEOUT_SECONDS: '40', HTTP_REQUEST_TIMEOUT_SECONDS: '30' }), /HTTP_HEADERS_TIMEOUT_SECONDS: must be at most HTTP_REQUEST_TIMEOUT_SECONDS/);
  });
});
