import type { Font } from 'fontkit';

/**
 * The places the packet reaches into pdfkit's internals, and those of fontkit, its font engine (pdfkit is pinned to
 * ^0.20, fontkit comes with it; re-check these on upgrade).
 */
interface EmbeddedFontInternals {
  layoutCache?: Record<string, unknown>;
  font?: { hasGlyphForCodePoint(codePoint: number): boolean };
}
interface DocumentInternals {
  _font: EmbeddedFontInternals | null;
  _fontFamilies: Record<string, EmbeddedFontInternals>;
}

/**
 * pdfkit lays text out word by word (split at ' ' and '\t') and keeps every word's layout forever in
 * `font.layoutCache`: 323k names grew it to 600 MB. The cache itself is worth keeping (without it, i.e. with
 * `features` passed, 323k names take ~5x longer than with it), so the caches are emptied only once they hold more
 * than `maxWords` layouts in all: words that recur (common given names, family names) stay laid out, unique ones
 * cannot pile up.
 */
export function trimLayoutCaches(doc: PDFKit.PDFDocument, maxWords: number): void {
  const fonts = Object.values((doc as unknown as DocumentInternals)._fontFamilies);
  let words = 0;
  for (const font of fonts) if (font.layoutCache) words += Object.keys(font.layoutCache).length;
  if (words <= maxWords) return;
  for (const font of fonts) if (font.layoutCache) font.layoutCache = Object.create(null) as Record<string, unknown>;
}

/** Whether the current font has a glyph for a character (fontkit's cmap lookup; pdfkit has no public API for it). */
export function currentFontHas(doc: PDFKit.PDFDocument, codePoint: number): boolean {
  return (doc as unknown as DocumentInternals)._font?.font?.hasGlyphForCodePoint(codePoint) ?? false;
}

/**
 * Options for drawing one run at an exact baseline. `textWidth` and `wordCount` are what pdfkit's own line wrapper
 * passes to spare `_fragment` measuring the text again; the typesetter has just measured it.
 */
export const runOptions = (width: number): PDFKit.Mixins.TextOptions =>
  ({ lineBreak: false, baseline: 'alphabetic', textWidth: width, wordCount: 1 }) as PDFKit.Mixins.TextOptions;

/** Registers a face already opened with fontkit: pdfkit 0.20 takes one where its types only name files and bytes. */
export function registerFace(doc: PDFKit.PDFDocument, name: string, font: Font): void {
  doc.registerFont(name, font as unknown as Buffer);
}

interface FontkitInternals {
  directory: { tables: Record<string, { offset: number } | undefined> };
  /** What `font[tag]` has decoded so far, by table tag. */
  _tables: Record<string, unknown>;
}

/**
 * Lets the faces of one collection share a table they share in the file (same bytes, same offset): fontkit decodes a
 * table once per face, when first read, and keeps it in `_tables`; a face whose table was decoded for another gets
 * that one. fontkit reads tables without changing them, and seeks before every read of the shared bytes.
 */
export function reuseDecodedTable(font: Font, tag: string, file: string, decoded: Map<string, unknown>): void {
  const internals = font as unknown as FontkitInternals;
  const offset = internals.directory.tables[tag]?.offset;
  if (offset === undefined) return;
  const key = `${file}@${offset}`;
  const table = decoded.get(key);
  if (table) internals._tables[tag] = table;
  else decoded.set(key, (font as unknown as Record<string, unknown>)[tag]);
}
