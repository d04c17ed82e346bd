import { countryName } from '../../countries/countries.js';
import { BODY_LEADING, BODY_SIZE, BOTTOM, CONTENT_WIDTH, MARGIN_X } from './layout.js';
import { scriptOf, type Letter } from './letter-language.js';
import { markdownBlocks } from './markdown-text.js';
import { INK, MUTED, RULE, type PageFlow } from './page-flow.js';
import type { PacketPdfInput } from './pdf-types.js';
import type { Typesetter } from './typesetter.js';

export interface LetterContext {
  flow: PageFlow;
  ts: Typesetter;
  doc: PDFKit.PDFDocument;
  /** The letter's own sentences are set in its direction; addresses take the direction of their own first letter. */
  letter: Letter;
}

/**
 * The cover letter: sender and date, the recipient's address, the petition and its demand, the totals, the signature.
 * The petition's text is set in its own language's direction and faces: it may not be the letter's (see `fallback`).
 */
export function writeCoverLetter({ flow, ts, letter }: LetterContext, input: PacketPdfInput): void {
  const { petition, target, language } = input;
  const { rtl, cjk } = letter;
  const body = { size: BODY_SIZE, cjk, leading: BODY_LEADING };
  const own = { ...body, ...scriptOf(petition.language) };
  const sentence = { ...body, rtl };
  const bold = { ...sentence, bold: true };
  const start = rtl ? 'right' : 'left';

  flow.newPage();
  ts.draw(input.organisation, rtl ? MARGIN_X + CONTENT_WIDTH * 0.4 : MARGIN_X, flow.y + 12, { ...bold, width: CONTENT_WIDTH * 0.6, align: start, fit: true });
  ts.draw(letter.date(input.date), MARGIN_X, flow.y + 12, { ...sentence, width: CONTENT_WIDTH, align: rtl ? 'left' : 'right' });
  flow.y += 44;

  const address = [target.recipientName, target.recipientTitle, target.name, ...target.address.split(/\r?\n/u), target.city, countryName(target.country, language)];
  for (const line of address.map((l) => l.trim()).filter(Boolean)) {
    ts.draw(line, MARGIN_X, flow.y + 11, { ...body, width: CONTENT_WIDTH, align: start, fit: true });
    flow.y += BODY_LEADING;
  }
  flow.y += 20;

  flow.paragraph(letter.t('letter.subject', { title: petition.title }), { ...bold, size: 12, leading: 17, after: 10 });
  const recipient = target.recipientName.trim();
  flow.paragraph(recipient ? letter.t('letter.dearNamed', { recipient }) : letter.t('letter.dear'), { ...sentence, after: 6 });
  const intro = {
    organisation: input.organisation,
    title: petition.title,
    target: petition.target,
    people: letter.t('letter.introPeople', letter.counted(input.total)),
    countries: letter.t('letter.introCountries', letter.counted(input.countries.length)),
  };
  flow.paragraph(letter.t('letter.intro', intro), { ...sentence, after: 10 });
  if (petition.fallback) flow.paragraph(letter.t('letter.originalLanguage', { language: letter.languageName(petition.language) }), { ...sentence, after: 10 });

  flow.paragraph(letter.t('letter.demand'), { ...bold, after: 2 });
  flow.paragraph(petition.summary, { ...own, after: 10 });
  flow.paragraph(letter.t('letter.petition'), { ...bold, after: 2 });
  flow.paragraph(petition.title, { ...own, bold: true, after: 4 });
  for (const block of markdownBlocks(petition.body)) {
    flow.paragraph(block.kind === 'item' ? `• ${block.text}` : block.text, { ...own, bold: block.kind === 'heading', after: block.kind === 'item' ? 2 : 6 });
  }
  flow.y += 4;
  flow.paragraph(letter.t('letter.request'), { ...sentence, after: 14 });
  flow.paragraph(letter.t('letter.closing'), { ...sentence, after: 22 });
  flow.paragraph(input.organisation, { ...body, bold: true, rtl });
}

const ROW = 14;
const TABLE_SIZE = 9.5;
const COUNT_WIDTH = 110;

/** Counts by country, with a header row repeated on every page and the total at the end. */
export function writeSummaryTable({ flow, ts, doc, letter }: LetterContext, input: PacketPdfInput): void {
  const { rtl, cjk } = letter;
  const cell = { size: TABLE_SIZE, cjk };
  const nameX = rtl ? MARGIN_X + COUNT_WIDTH : MARGIN_X;
  const countX = rtl ? MARGIN_X : MARGIN_X + CONTENT_WIDTH - COUNT_WIDTH;
  const nameWidth = CONTENT_WIDTH - COUNT_WIDTH - 10;
  const row = (name: string, count: string, style: { bold?: boolean; rtl?: boolean }) => {
    flow.ensure(ROW);
    const baseline = flow.y + ROW * 0.72;
    ts.draw(name, nameX, baseline, { ...cell, ...style, width: nameWidth, align: rtl ? 'right' : 'left', fit: true });
    ts.draw(count, countX, baseline, { ...cell, ...style, width: COUNT_WIDTH, align: rtl ? 'left' : 'right' });
    flow.y += ROW;
  };
  const rule = () => {
    doc.moveTo(MARGIN_X, flow.y).lineTo(MARGIN_X + CONTENT_WIDTH, flow.y).lineWidth(0.5).strokeColor(RULE).stroke();
  };
  const header = () => {
    doc.fillColor(MUTED);
    row(letter.t('letter.country'), letter.t('letter.signatures'), { bold: true, rtl });
    doc.fillColor(INK);
    rule();
    flow.y += 2;
  };

  flow.newPage();
  flow.paragraph(letter.t('letter.summary'), { size: 15, cjk, rtl, bold: true, leading: 22, after: 2 });
  flow.paragraph(letter.t('letter.summaryCountries', letter.counted(input.countries.length)), { size: BODY_SIZE, cjk, rtl, leading: BODY_LEADING, after: 8 });
  header();
  for (const country of input.countries) {
    if (flow.y + ROW > BOTTOM) {
      flow.newPage();
      header();
    }
    row(country.name, letter.count(country.count), {});
  }
  flow.y += 2;
  rule();
  flow.y += 2;
  row(letter.t('letter.total'), letter.count(input.total), { bold: true, rtl });
}
