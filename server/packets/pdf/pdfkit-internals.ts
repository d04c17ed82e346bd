/**
 * The places the packet reaches into pdfkit's internals (pdfkit is pinned to ^0.20; re-check these on upgrade).
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
 * `features` passed, 323k names take ~5x longer than the ~10 s they take with it), so it is emptied every
 * few thousand names instead.
 */
export function resetLayoutCaches(doc: PDFKit.PDFDocument): void {
  for (const font of Object.values((doc as unknown as DocumentInternals)._fontFamilies)) {
    if (font.layoutCache) font.layoutCache = Object.create(null) as Record<string, unknown>;
  }
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
