import { countryName } from '../../countries/countries.js';
import type { CjkVariant } from './fonts.js';
import { BODY_LEADING, BODY_SIZE, BOTTOM, CONTENT_WIDTH, MARGIN_X } from './layout.js';
import { formatCount, formatDate, type LetterText } from './letter-text.js';
import { markdownBlocks } from './markdown-text.js';
import { INK, MUTED, RULE, type PageFlow } from './page-flow.js';
import type { PacketPdfInput } from './pdf-types.js';
import type { Typesetter } from './typesetter.js';

export interface LetterContext {
  flow: PageFlow;
  ts: Typesetter;
  doc: PDFKit.PDFDocument;
  text: LetterText;
  /** The letter's own sentences; petition text and addresses take the direction of their own first letter. */
  rtl: boolean;
  cjk: CjkVariant;
}

/** The cover letter: sender and date, the recipient's address, the petition and its demand, the totals, the signature. */
export function writeCoverLetter({ flow, ts, text, rtl, cjk }: LetterContext, input: PacketPdfInput): void {
  const { petition, target, language } = input;
  const body = { size: BODY_SIZE, cjk, leading: BODY_LEADING };
  const letter = { ...body, rtl };
  const bold = { ...letter, bold: true };
  const start = rtl ? 'right' : 'left';

  flow.newPage();
  ts.draw(input.organisation, rtl ? MARGIN_X + CONTENT_WIDTH * 0.4 : MARGIN_X, flow.y + 12, { ...bold, width: CONTENT_WIDTH * 0.6, align: start, fit: true });
  ts.draw(formatDate(language, input.date), MARGIN_X, flow.y + 12, { ...letter, width: CONTENT_WIDTH, align: rtl ? 'left' : 'right' });
  flow.y += 44;

  const address = [target.recipientName, target.recipientTitle, target.name, ...target.address.split(/\r?\n/u), target.city, countryName(target.country, language)];
  for (const line of address.map((l) => l.trim()).filter(Boolean)) {
    ts.draw(line, MARGIN_X, flow.y + 11, { ...body, width: CONTENT_WIDTH, align: start, fit: true });
    flow.y += BODY_LEADING;
  }
  flow.y += 20;

  flow.paragraph(text.subject(petition.title), { ...bold, size: 12, leading: 17, after: 10 });
  flow.paragraph(text.dear(target.recipientName.trim()), { ...letter, after: 6 });
  const intro = {
    organisation: input.organisation,
    title: petition.title,
    target: petition.target,
    total: formatCount(language, input.total),
    totalCount: input.total,
    countries: formatCount(language, input.countries.length),
    countryCount: input.countries.length,
  };
  flow.paragraph(text.intro(intro), { ...letter, after: 10 });

  flow.paragraph(text.demand, { ...bold, after: 2 });
  flow.paragraph(petition.summary, { ...body, after: 10 });
  flow.paragraph(text.petition, { ...bold, after: 2 });
  flow.paragraph(petition.title, { ...body, bold: true, after: 4 });
  for (const block of markdownBlocks(petition.body)) {
    flow.paragraph(block.kind === 'item' ? `• ${block.text}` : block.text, { ...body, bold: block.kind === 'heading', after: block.kind === 'item' ? 2 : 6 });
  }
  flow.y += 4;
  flow.paragraph(text.request, { ...letter, after: 14 });
  flow.paragraph(text.closing, { ...letter, after: 22 });
  flow.paragraph(input.organisation, { ...body, bold: true, rtl });
}

const ROW = 14;
const TABLE_SIZE = 9.5;
const COUNT_WIDTH = 110;

/** Counts by country, with a header row repeated on every page and the total at the end. */
export function writeSummaryTable({ flow, ts, doc, text, rtl, cjk }: LetterContext, input: PacketPdfInput): void {
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
    row(text.country, text.signatures, { bold: true, rtl });
    doc.fillColor(INK);
    rule();
    flow.y += 2;
  };

  flow.newPage();
  flow.paragraph(text.summary, { size: 15, cjk, rtl, bold: true, leading: 22, after: 2 });
  flow.paragraph(text.countries(formatCount(input.language, input.countries.length), input.countries.length), { size: BODY_SIZE, cjk, rtl, leading: BODY_LEADING, after: 8 });
  header();
  for (const country of input.countries) {
    if (flow.y + ROW > BOTTOM) {
      flow.newPage();
      header();
    }
    row(country.name, formatCount(input.language, country.count), {});
  }
  flow.y += 2;
  rule();
  flow.y += 2;
  row(text.total, formatCount(input.language, input.total), { bold: true, rtl });
}
