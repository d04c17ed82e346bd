import { createFontFaces } from '../packets/pdf/font-faces.js';
import type { CjkVariant, Family, PdfFonts } from '../packets/pdf/fonts.js';
import { isRtlText, splitRuns, visualOrder } from '../packets/pdf/script-runs.js';

/** What of fontkit's faces and glyph runs the share image reads (fontkit has no types of its own). */
interface Face {
  unitsPerEm: number;
  hasGlyphForCodePoint(codePoint: number): boolean;
  layout(text: string): unknown;
}
interface GlyphRun {
  glyphs: { id: number; path: { toSVG(): string } }[];
  positions: { xAdvance: number; xOffset: number; yOffset: number }[];
}

/** One line of text set in glyphs: SVG path data at the origin (baseline y = 0), and its width. */
export interface SetLine {
  svg: string;
  width: number;
}

// Bidi marks that Intl puts around numbers and percent signs: the runs below do the ordering, and no Noto face draws them.
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * Sets text as glyph outlines, with the packets' fonts (findPdfFonts) and their script runs: fontkit shapes each run
 * (Arabic joining, ligatures) and reverses right-to-left ones, `visualOrder` orders the runs. The SVG carries paths,
 * not text, so that the rasteriser never picks a font of its own: a glyph the fonts lack is a visible box.
 */
export function createGlyphText(fonts: PdfFonts) {
  const opener = createFontFaces();
  const faces = new Map<Family, Face>();
  const face = (family: Family): Face => {
    let found = faces.get(family);
    if (!found) faces.set(family, (found = opener.open(fonts.bold[family] ?? fonts.bold.sans!) as unknown as Face));
    return found;
  };
  const options = (rtl: boolean, cjk: CjkVariant) => ({
    cjk,
    rtl,
    covers: (family: Family, codePoint: number) => face(family).hasGlyphForCodePoint(codePoint),
    has: (family: Family) => fonts.bold[family] !== undefined,
  });

  /** The line's runs, left to right on the page, each shaped. */
  function shape(text: string, size: number, cjk: CjkVariant) {
    const clean = text.replace(BIDI_CONTROLS, '');
    const rtl = isRtlText(clean);
    return visualOrder(splitRuns(clean, options(rtl, cjk)), rtl).map((run) => {
      const f = face(run.family);
      return { run: f.layout(run.text) as GlyphRun, scale: size / f.unitsPerEm };
    });
  }

  return {
    /** Han characters take the Simplified or Traditional face as `cjk` says (Kana or Hangul in the text decide otherwise). */
    width(text: string, size: number, cjk: CjkVariant): number {
      let width = 0;
      for (const { run, scale } of shape(text, size, cjk)) for (const p of run.positions) width += p.xAdvance * scale;
      return width;
    },
    set(text: string, size: number, cjk: CjkVariant): SetLine {
      let x = 0;
      const paths: string[] = [];
      for (const { run, scale } of shape(text, size, cjk)) {
        run.glyphs.forEach((glyph, i) => {
          const p = run.positions[i]!;
          const d = glyph.path.toSVG();
          if (d) paths.push(`<path transform="translate(${r(x + p.xOffset * scale)} ${r(-p.yOffset * scale)}) scale(${r(scale, 5)} ${r(-scale, 5)})" d="${d}"/>`);
          x += p.xAdvance * scale;
        });
      }
      return { svg: paths.join(''), width: x };
    },
  };
}

export type GlyphText = ReturnType<typeof createGlyphText>;

const r = (n: number, digits = 2) => Number(n.toFixed(digits));

/**
 * Breaks text into lines no wider than `width`, at the word boundaries of the text's language (Intl.Segmenter: spaces,
 * and between Chinese words by ICU's dictionary). Punctuation and spaces stay with the word before them.
 */
export function wrapLines(text: string, lang: string, fits: (line: string) => boolean): string[] {
  const pieces: string[] = [];
  for (const { segment, isWordLike } of new Intl.Segmenter(lang, { granularity: 'word' }).segment(text.trim())) {
    if (!isWordLike && pieces.length > 0) pieces[pieces.length - 1] += segment;
    else pieces.push(segment);
  }
  const lines: string[] = [];
  let line = '';
  for (const piece of pieces) {
    if (line && !fits((line + piece).trimEnd())) {
      lines.push(line.trimEnd());
      line = piece.trimStart();
    } else line += piece;
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}
