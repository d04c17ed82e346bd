import type { Writable } from 'node:stream';
import { A3 } from './layout.js';
import { letterIn, scriptOf } from './letter-language.js';
import { openDocument, titleLines, writeDocument } from './packet-pdf.js';
import type { PdfDeps, PosterInput } from './pdf-types.js';
import { createTypesetter } from './typesetter.js';

const MARGIN = 60;
const WIDTH = A3.width - 2 * MARGIN;
const BLACK = '#000000';
const ACCENT = '#c8102e';
const MAX_TITLE_LINES = 4;

/**
 * The A3 poster held up at the door for the photo: the number, big enough to read across a street, black on white
 * (what survives a phone camera in sunlight and a cheap printer), then the countries, the title and the occasion.
 */
export async function writePoster({ fonts, i18n, faces }: PdfDeps, input: PosterInput, out: Writable): Promise<void> {
  const { language } = input;
  const letter = letterIn(i18n, language);
  const { cjk, rtl } = letter;
  const doc = openDocument({ title: input.title, author: input.organisation, subject: input.targetName, date: input.date, language });
  const ts = createTypesetter(doc, fonts, faces);
  const centred = { cjk, width: WIDTH, align: 'center' as const, fit: true };

  await writeDocument(doc, out, () => {
    doc.addPage({ size: [A3.width, A3.height], margin: 0 });
    doc.rect(0, 0, A3.width, 130).fill(BLACK);
    doc.fillColor('#ffffff');
    ts.draw(input.organisation, MARGIN, 80, { ...centred, size: 34, bold: true });

    doc.fillColor(BLACK);
    ts.draw(letter.count(input.total), MARGIN, 540, { ...centred, size: 280, bold: true, minSize: 20 });
    ts.draw(letter.t('letter.posterUnit', letter.counted(input.total)), MARGIN, 640, { ...centred, size: 72, bold: true, rtl });
    ts.draw(letter.t('letter.posterCountries', letter.counted(input.countryCount)), MARGIN, 720, { ...centred, size: 48, rtl });

    doc.rect(A3.width / 2 - 120, 770, 240, 8).fill(ACCENT);
    doc.fillColor(BLACK);
    const titleStyle = { ...scriptOf(input.titleLanguage), size: 44, bold: true };
    const lines = ts.wrap(input.title, WIDTH, titleStyle);
    const shown = titleLines(lines, MAX_TITLE_LINES);
    shown.forEach((line, i) => ts.draw(line, MARGIN, 860 + i * 56, { ...centred, ...titleStyle }));

    doc.fillColor('#333333');
    ts.draw(letter.t('letter.posterHandover', { target: input.targetName, date: letter.date(input.date) }), MARGIN, A3.height - 70, { ...centred, size: 24, rtl });
  });
}
