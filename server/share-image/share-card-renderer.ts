import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { PdfFonts } from '../packets/pdf/fonts.js';
import type { ShareCard } from './share-card.js';

type Reply = { id: number; png: Uint8Array; error?: undefined } | { id: number; error: string };

// The worker is this folder's .js once compiled. From the sources (tests, `npm run dev`) it is a .ts, which a worker
// loads only once it has registered tsx itself: Node 20 workers do not inherit tsx's loader from `--import tsx`.
const EXTENSION = path.extname(new URL(import.meta.url).pathname);
const WORKER = new URL(`./share-card-worker${EXTENSION}`, import.meta.url);
const spawn = (workerData: PdfFonts) =>
  EXTENSION === '.ts'
    ? new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((tsx) => { tsx.register(); return import(${JSON.stringify(WORKER.href)}); });`, { eval: true, workerData })
    : new Worker(WORKER, { workerData });

/**
 * Draws share cards in one worker thread, started on first use. The fonts are located here first, so that missing
 * fonts are the same 503 as for packets (fonts.ts). A worker that dies fails what it was drawing; the next card
 * starts a new one.
 */
export function createShareCardRenderer(fonts: () => PdfFonts) {
  let worker: Worker | null = null;
  let nextId = 0;
  const pending = new Map<number, { resolve: (png: Buffer) => void; reject: (error: Error) => void }>();

  const failAll = (error: Error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  const stopped = (which: Worker, error: Error) => {
    if (worker !== which) return;
    worker = null;
    failAll(error);
  };

  function start(): Worker {
    const started = spawn(fonts());
    started.unref();
    started.on('message', (reply: Reply) => {
      const waiting = pending.get(reply.id);
      pending.delete(reply.id);
      if (reply.error !== undefined) waiting?.reject(new Error(`share image: ${reply.error}`));
      else waiting?.resolve(Buffer.from(reply.png.buffer, reply.png.byteOffset, reply.png.byteLength));
    });
    started.on('error', (error) => stopped(started, error));
    started.on('exit', (code) => stopped(started, new Error(`share image worker stopped (${code})`)));
    return started;
  }

  return {
    render(card: ShareCard): Promise<Buffer> {
      worker ??= start();
      const id = nextId++;
      const done = new Promise<Buffer>((resolve, reject) => pending.set(id, { resolve, reject }));
      worker.postMessage({ id, card });
      return done;
    },
    async close(): Promise<void> {
      const stopping = worker;
      worker = null;
      failAll(new Error('share images closed'));
      await stopping?.terminate();
    },
  };
}

export type ShareCardRenderer = ReturnType<typeof createShareCardRenderer>;
