import { createFontFaces, type FontFaces } from './font-faces.js';
import type { CjkVariant, Family, PdfFonts } from './fonts.js';
import { currentFontHas, registerFace, runOptions } from './pdfkit-internals.js';
import { isRtlText, splitRuns, visualOrder, type Run } from './script-runs.js';

export interface TextStyle {
  size: number;
  bold?: boolean;
  /** The paragraph direction; omitted, it follows the first strong letter (user content: names, titles). */
  rtl?: boolean;
  /** Which CJK face Han characters get unless Kana or Hangul in the same text decide it. */
  cjk: CjkVariant;
}

export interface DrawOptions extends TextStyle {
  /** The box the line is aligned (and fitted) in; needed for right, center and fit. */
  width?: number;
  /** 'start': the side the text's own direction starts from. */
  align?: 'left' | 'right' | 'center' | 'start';
  /** Shrink a line wider than `width` down to `minSize`, then clip what still overflows. */
  fit?: boolean;
  minSize?: number;
}

interface Layout {
  runs: { run: Run; width: number }[];
  width: number;
  rtl: boolean;
}

const NBSP = '\u00A0';
const MAX_LINES = 5_000;
// Naskh letters look a size smaller than Noto Sans' at the same point size (a smaller x-height).
const SIZE_SCALE: Partial<Record<Family, number>> = { arabic: 1.15 };
const CJK = '\\p{sc=Han}\\p{sc=Hiragana}\\p{sc=Katakana}\\p{sc=Bopomofo}\\u3000-\\u303F\\uFF00-\\uFFEF';
/** Break opportunities: at spaces, and between any two CJK characters (closing punctuation stays with the one before). */
const TOKENS = new RegExp(`\\s+|[${CJK}][、。，．：；！？」』）》〉】ー]*|[^\\s${CJK}]+`, 'gu');

/**
 * Draws single lines of text in any script at exact positions, one pdfkit call per script run. All packet text
 * goes through here, so that the cover letter, the table and the names share one way of choosing fonts.
 * A face is opened when first used, from `faces`: pass the same to documents made one after the other.
 */
export function createTypesetter(doc: PDFKit.PDFDocument, fonts: PdfFonts, faces: FontFaces = createFontFaces()) {
  const registered = new Set<string>();
  const coverage = new Map<string, boolean>();

  const has = (family: Family) => fonts.regular[family] !== undefined;
  function use(family: Family, bold: boolean, size: number): void {
    size *= SIZE_SCALE[family] ?? 1;
    const name = bold ? `${family}-bold` : family;
    if (!registered.has(name)) {
      const face = (bold ? fonts.bold : fonts.regular)[family] ?? fonts.regular.sans!;
      registerFace(doc, name, faces.open(face));
      registered.add(name);
    }
    doc.font(name, size);
  }
  function covers(family: Family, codePoint: number): boolean {
    if (codePoint === 0x20) return true;
    const key = `${family}:${codePoint}`;
    let found = coverage.get(key);
    if (found === undefined) {
      use(family, false, 10);
      found = currentFontHas(doc, codePoint);
      coverage.set(key, found);
    }
    return found;
  }

  // pdfkit lays text out word by word, which breaks right-to-left shaping and ordering (the spaces vanish).
  // With no-break spaces the whole run is laid out at once, and fontkit shapes and orders it right; measured
  // with pdftotext: Hebrew and Uyghur names come back identical (with U+00A0 for the spaces), Arabic too except the
  // lam-lam-heh ligature of "الله". The cost: a right-to-left name is one cache entry, not one per word.
  const shown = (run: Run) => (run.rtl ? run.text.replaceAll(' ', NBSP) : run.text);

  // Lines laid out, by text and style: names recur (the same given and family names in many countries), and every
  // page's header is measured, then drawn. Emptied when full, like pdfkit's own word cache (see trimLayoutCaches).
  const laidOut = new Map<string, Layout>();
  function layout(text: string, style: TextStyle): Layout {
    const key = `${style.size}|${style.bold ? 1 : 0}|${style.cjk}|${style.rtl ?? ''}|${text}`;
    let found = laidOut.get(key);
    if (!found) {
      if (laidOut.size >= MAX_LINES) laidOut.clear();
      laidOut.set(key, (found = layoutLine(text, style)));
    }
    return found;
  }

  function layoutLine(text: string, style: TextStyle): Layout {
    const clean = text.replace(/\s+/gu, ' ').trim();
    const rtl = style.rtl ?? isRtlText(clean);
    const runs = visualOrder(splitRuns(clean, { cjk: style.cjk, rtl, covers, has }), rtl);
    let width = 0;
    const placed = runs.map((run) => {
      use(run.family, style.bold ?? false, style.size);
      const w = doc.widthOfString(shown(run));
      width += w;
      return { run, width: w };
    });
    return { runs: placed, width, rtl };
  }

  function draw(text: string, x: number, baseline: number, options: DrawOptions): number {
    const { runs, width: natural, rtl } = layout(text, options);
    const box = options.width ?? natural;
    let size = options.size;
    if (options.fit && natural > box) size = Math.max(options.minSize ?? size * 0.6, (size * box) / natural);
    const scale = size / options.size;
    const width = natural * scale;
    const clip = width > box + 0.01;
    if (clip) doc.save().rect(x, baseline - size * 1.5, box, size * 2.2).clip();
    const align = options.align === 'start' ? (rtl ? 'right' : 'left') : options.align;
    let at = align === 'right' ? x + box - width : align === 'center' ? x + (box - width) / 2 : x;
    for (const { run, width: w } of runs) {
      use(run.family, options.bold ?? false, size);
      doc.text(shown(run), at, baseline, runOptions(w * scale));
      at += w * scale;
    }
    if (clip) doc.restore();
    return width;
  }

  const measure = (text: string, style: TextStyle): number => layout(text, style).width;

  /** Greedy line breaking at spaces and between CJK characters; a word longer than the line is cut by characters. */
  function wrap(text: string, width: number, style: TextStyle): string[] {
    const lines: string[] = [];
    let line = '';
    let used = 0;
    let space = false;
    const spaceWidth = measure('a a', style) - measure('aa', style);
    const place = (token: string, w: number) => {
      const separated = space && line !== '';
      const gap = separated ? spaceWidth : 0;
      if (line && used + gap + w > width) {
        lines.push(line);
        line = token;
        used = w;
      } else {
        line += (separated ? ' ' : '') + token;
        used += gap + w;
      }
      space = false;
    };
    for (const token of text.match(TOKENS) ?? []) {
      if (/^\s/u.test(token)) {
        space = true;
        continue;
      }
      const w = measure(token, style);
      if (w <= width) place(token, w);
      else for (const ch of token) place(ch, measure(ch, style));
    }
    if (line) lines.push(line);
    return lines;
  }

  return { draw, measure, wrap };
}

export type Typesetter = ReturnType<typeof createTypesetter>;
