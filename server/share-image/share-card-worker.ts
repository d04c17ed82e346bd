import { parentPort, workerData } from 'node:worker_threads';
import type { PdfFonts } from '../packets/pdf/fonts.js';
import { createGlyphText } from './glyph-text.js';
import { renderShareCard, type ShareCard } from './share-card.js';

// Runs in a worker thread (share-card-renderer.ts): opening the fonts and laying out glyphs is synchronous work
// (100–150 ms for a script's first image, 10–30 ms after), kept off the thread that answers pages.
const text = createGlyphText(workerData as PdfFonts);

parentPort!.on('message', (message: { id: number; card: ShareCard }) => {
  const { id, card } = message;
  renderShareCard({ ...card, image: card.image && Buffer.from(card.image) }, text).then(
    (png) => parentPort!.postMessage({ id, png }),
    (error: unknown) => parentPort!.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
});
