import type { Writable } from 'node:stream';
import type { Language } from '../i18n/languages.js';
import type { FontFaces } from '../packets/pdf/font-faces.js';
import type { PdfFonts } from '../packets/pdf/fonts.js';
import { A4 } from '../packets/pdf/layout.js';
import { scriptOf } from '../packets/pdf/letter-language.js';
import { openDocument, titleLines, writeDocument } from '../packets/pdf/packet-pdf.js';
import { createTypesetter } from '../packets/pdf/typesetter.js';
import { qrMatrix } from './qr-code.js';

const MARGIN = 50;
const WIDTH = A4.width - 2 * MARGIN;
const TITLE_SIZE = 28;
const MAX_TITLE_LINES = 4;
const QR_SIZE = 340;
const BLACK = '#000000';

export interface SharePosterInput {
  /** The page's language: the poster's sentences. */
  language: Language;
  /** The petition's title in that language, or in its main language when it has no translation (`textIn`). */
  title: string;
  titleLanguage: Language;
  /** The address the QR code opens (with ref=poster), and the shorter one printed under it for typing. */
  qrUrl: string;
  printedUrl: string;
  scan: string;
  paper: string;
  organisation: string;
  date: Date;
}

/**
 * The A4 poster for a street stall where paper signatures are collected: the title, "Scan to sign" and a QR code
 * drawn as vector squares (sharp at any printer's resolution), black on white for cheap printers and phone cameras.
 */
export async function writeSharePoster(deps: { fonts: PdfFonts; faces?: FontFaces }, input: SharePosterInput, out: Writable): Promise<void> {
  const doc = openDocument({ title: input.title, author: input.organisation, subject: input.scan, date: input.date, language: input.language });
  const ts = createTypesetter(doc, deps.fonts, deps.faces);
  const page = scriptOf(input.language);
  const centred = { width: WIDTH, align: 'center' as const, fit: true };
  await writeDocument(doc, out, () => {
    doc.addPage({ size: [A4.width, A4.height], margin: 0 });
    doc.fillColor(BLACK);

    const titleStyle = { ...scriptOf(input.titleLanguage), size: TITLE_SIZE, bold: true };
    const lines = ts.wrap(input.title, WIDTH, titleStyle);
    const shown = titleLines(lines, MAX_TITLE_LINES);
    shown.forEach((line, i) => ts.draw(line, MARGIN, 100 + i * TITLE_SIZE * 1.3, { ...centred, ...titleStyle }));

    ts.draw(input.scan, MARGIN, 290, { ...centred, ...page, size: 40, bold: true });
    drawQr(doc, input.qrUrl, (A4.width - QR_SIZE) / 2, 320, QR_SIZE);
    // An address reads left to right in every page language.
    ts.draw(input.printedUrl, MARGIN, 700, { ...centred, cjk: page.cjk, rtl: false, size: 14 });
    ts.draw(input.paper, MARGIN, 750, { ...centred, ...page, size: 20 });
  });
}

/** One filled rectangle per run of dark modules in a row. */
function drawQr(doc: PDFKit.PDFDocument, text: string, x: number, y: number, size: number): void {
  const { size: n, dark } = qrMatrix(text);
  const cell = size / n;
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; ) {
      if (!dark(row, col)) {
        col++;
        continue;
      }
      const start = col;
      while (col < n && dark(row, col)) col++;
      doc.rect(x + start * cell, y + row * cell, (col - start) * cell, cell);
    }
  }
  doc.fill(BLACK);
}
