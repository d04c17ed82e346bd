import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import PDFDocument from 'pdfkit';
import { writeCoverLetter, writeSummaryTable } from './cover-letter.js';
import { letterIn } from './letter-language.js';
import { createPageFlow } from './page-flow.js';
import { trimLayoutCaches } from './pdfkit-internals.js';
import type { CountryStart, PacketPdfInput, PacketPdfWriter, PdfDeps } from './pdf-types.js';
import { createSignerColumns } from './signer-columns.js';
import { createTypesetter } from './typesetter.js';

export type { CountryStart, PacketPdfInput, PacketPdfWriter, PdfDeps } from './pdf-types.js';

// pdfkit pushes finished PDF into its stream whether or not the consumer keeps up: a writer that does not yield
// piles up buffers in memory (measured). So: yield every YIELD_EVERY names, and wait while more than MAX_BUFFERED
// of PDF is waiting for the consumer.
const YIELD_EVERY = 1_000;
const MAX_BUFFERED = 256 * 1024;
// See trimLayoutCaches: pdfkit's layout caches are checked every TRIM_EVERY names and hold at most ~MAX_WORDS words.
const TRIM_EVERY = 5_000;
const MAX_WORDS = 10_000;

/** Opens a PDF document whose creation date (and so its /ID) comes from the input: same input, same bytes. */
export function openDocument(info: { title: string; author: string; subject: string; date: Date; language: string }): PDFKit.PDFDocument {
  return new PDFDocument({
    autoFirstPage: false,
    margin: 0,
    lang: info.language,
    displayTitle: true,
    info: { Title: info.title, Author: info.author, Subject: info.subject, Creator: 'Handover', Producer: 'Handover (PDFKit)', CreationDate: info.date },
  });
}

/**
 * The packet's PDF, written as it goes: the cover letter and the summary table at once, then signers country by
 * country as the caller streams them in. Memory holds one page and the font subsets, never the petition.
 */
/**
 * Writes a document drawn in one go (the posters) to `out`. A drawing error destroys the stream, so that a half
 * document is never taken for a whole one, and is thrown.
 */
export async function writeDocument(doc: PDFKit.PDFDocument, out: Writable, draw: () => void): Promise<void> {
  const finished = pipeline(doc, out);
  try {
    draw();
  } catch (error) {
    doc.destroy(error as Error);
    await finished.catch(() => undefined);
    throw error;
  }
  doc.end();
  await finished;
}

/** A poster title's lines: at most `max`, the last taking whatever is left (the fit option then shrinks it). */
export const titleLines = (lines: string[], max: number): string[] => (lines.length > max ? [...lines.slice(0, max - 1), lines.slice(max - 1).join(' ')] : lines);

export function createPacketPdf({ fonts, i18n, faces }: PdfDeps, input: PacketPdfInput, out: Writable): PacketPdfWriter {
  const { language } = input;
  const letter = letterIn(i18n, language);
  const { rtl, cjk } = letter;
  const packetLabel = letter.t('letter.packet', { id: input.packetId });
  const doc = openDocument({ title: input.petition.title, author: input.organisation, subject: packetLabel, date: input.date, language });
  const finished = pipeline(doc, out);
  let failure: Error | null = null;
  finished.catch((error: unknown) => {
    failure = error instanceof Error ? error : new Error(String(error));
  });

  const ts = createTypesetter(doc, fonts, faces);
  const flow = createPageFlow(doc, ts, { title: input.petition.title, titleLanguage: input.petition.language, packetLabel, page: (n) => letter.t('letter.page', { page: n }), rtl, cjk });
  const columns = createSignerColumns(flow, ts, letter);
  try {
    writeCoverLetter({ flow, ts, doc, letter }, input);
    writeSummaryTable({ flow, ts, doc, letter }, input);
  } catch (error) {
    doc.destroy(error as Error);
    throw error;
  }

  let signersStarted = false;
  let sinceYield = 0;
  let sinceTrim = 0;

  async function catchUp(): Promise<void> {
    while (failure === null && doc.readableLength > MAX_BUFFERED) {
      await Promise.race([out.writableNeedDrain ? once(out, 'drain') : nextTurn(), finished]);
    }
    await nextTurn();
    if (failure !== null) throw failure;
  }

  return {
    startCountry(country: CountryStart) {
      if (!signersStarted) {
        flow.newPage();
        flow.paragraph(letter.t('letter.signers'), { size: 15, bold: true, cjk, rtl, leading: 22, after: 6 });
        signersStarted = true;
      }
      columns.start(country);
    },
    async addSigners(names: string[]) {
      if (failure !== null) throw failure;
      for (const name of names) {
        // Signers shown by country only are counted in `unnamed`, never drawn as an empty slot.
        if (!name.trim()) continue;
        columns.add(name);
        if (++sinceTrim === TRIM_EVERY) {
          trimLayoutCaches(doc, MAX_WORDS);
          sinceTrim = 0;
        }
        if (++sinceYield === YIELD_EVERY) {
          sinceYield = 0;
          await catchUp();
        }
      }
    },
    async end() {
      columns.finish();
      doc.end();
      await finished;
      return { pages: flow.pages };
    },
  };
}
