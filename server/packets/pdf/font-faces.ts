import { readFileSync } from 'node:fs';
import { create, type Font } from 'fontkit';
import type { FontFace } from './fonts.js';
import { reuseDecodedTable } from './pdfkit-internals.js';

/**
 * Opens font faces for the documents of one packet build: each file is read once for all of them (the poster, then the
 * packet). The four faces of the Noto CJK collection share one CFF table, their glyphs; fontkit decodes it once per
 * face (8 MB of heap each), so faces after the first reuse the first one's. Each call still opens a face of its own:
 * fontkit keeps state per face (the glyphs it has met, and for which characters), and a face shared by the poster and
 * the packet lost the packet's full stops from its text layer (pdftotext).
 */
export function createFontFaces() {
  const files = new Map<string, Buffer>();
  const decoded = new Map<string, unknown>();

  return {
    open(face: FontFace): Font {
      let bytes = files.get(face.path);
      if (!bytes) files.set(face.path, (bytes = readFileSync(face.path)));
      const font = create(bytes, face.postscriptName);
      reuseDecodedTable(font, 'CFF ', face.path, decoded);
      return font;
    },
  };
}

export type FontFaces = ReturnType<typeof createFontFaces>;
