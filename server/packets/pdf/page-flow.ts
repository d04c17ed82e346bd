import { A4, BOTTOM, CONTENT_WIDTH, FOOTER_BASELINE, HEADER_BASELINE, MARGIN_X, SMALL_SIZE, TOP } from './layout.js';
import type { CjkVariant } from './fonts.js';
import { scriptOf } from './letter-language.js';
import { isRtlText } from './script-runs.js';
import type { TextStyle, Typesetter } from './typesetter.js';

export interface FrameText {
  title: string;
  /** The title's own language, whose face its Han characters take (a Traditional Chinese title in an English letter). */
  titleLanguage: string;
  /** "Packet pk_…", in the letter's language. */
  packetLabel: string;
  page: (n: string) => string;
  /** The document's direction: the header's title goes to the reading start. */
  rtl: boolean;
  cjk: CjkVariant;
}

export interface ParagraphStyle extends TextStyle {
  leading: number;
  /** Space after the paragraph. */
  after?: number;
}

export const INK = '#111111';
export const MUTED = '#555555';
export const RULE = '#999999';

/**
 * The vertical cursor of a multi-page document, and the frame of every page: the running header (petition title
 * and packet id) and the page number. Pages are numbered as they are made ("page N", not "N of M"): the total is
 * only known at the end, and pdfkit could write it then only by keeping every page in memory.
 */
export function createPageFlow(doc: PDFKit.PDFDocument, ts: Typesetter, frame: FrameText) {
  let pages = 0;
  let y = TOP;
  const small = { size: SMALL_SIZE, cjk: frame.cjk };
  const titleStyle = { size: SMALL_SIZE, cjk: scriptOf(frame.titleLanguage).cjk };

  function newPage(): void {
    doc.addPage({ size: [A4.width, A4.height], margin: 0 });
    pages += 1;
    doc.fillColor(MUTED);
    const idText = frame.packetLabel;
    const idWidth = ts.measure(idText, { ...small, rtl: frame.rtl });
    const titleWidth = CONTENT_WIDTH - idWidth - 24;
    ts.draw(frame.title, frame.rtl ? MARGIN_X + idWidth + 24 : MARGIN_X, HEADER_BASELINE, { ...titleStyle, width: titleWidth, align: frame.rtl ? 'right' : 'left', fit: true });
    ts.draw(idText, MARGIN_X, HEADER_BASELINE, { ...small, rtl: frame.rtl, width: CONTENT_WIDTH, align: frame.rtl ? 'left' : 'right' });
    ts.draw(frame.page(String(pages)), MARGIN_X, FOOTER_BASELINE, { ...small, rtl: frame.rtl, width: CONTENT_WIDTH, align: 'center' });
    doc.moveTo(MARGIN_X, HEADER_BASELINE + 7).lineTo(MARGIN_X + CONTENT_WIDTH, HEADER_BASELINE + 7).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.fillColor(INK);
    y = TOP;
  }

  /** Starts a new page unless `height` more fits on this one. */
  function ensure(height: number): void {
    if (pages === 0 || y + height > BOTTOM) newPage();
  }

  /** A wrapped paragraph, aligned to the side its own direction starts from. */
  function paragraph(text: string, style: ParagraphStyle, x = MARGIN_X, width = CONTENT_WIDTH): void {
    const rtl = style.rtl ?? isRtlText(text);
    for (const line of ts.wrap(text, width, { ...style, rtl })) {
      ensure(style.leading);
      ts.draw(line, x, y + style.leading * 0.76, { ...style, rtl, width, align: rtl ? 'right' : 'left', fit: true });
      y += style.leading;
    }
    y += style.after ?? 0;
  }

  return {
    doc,
    newPage,
    ensure,
    paragraph,
    get y() {
      return y;
    },
    set y(value: number) {
      y = value;
    },
    get pages() {
      return pages;
    },
  };
}

export type PageFlow = ReturnType<typeof createPageFlow>;
