import { existsSync } from 'node:fs';
import path from 'node:path';
import { AppError } from '../../shared/errors.js';

/** A family of glyphs the packet draws with; each has a regular and (maybe) a bold face. */
export const FAMILIES = ['sans', 'arabic', 'hebrew', 'devanagari', 'bengali', 'tamil', 'thai', 'armenian', 'georgian', 'ethiopic', 'cjk-sc', 'cjk-tc', 'cjk-jp', 'cjk-kr'] as const;
export type Family = (typeof FAMILIES)[number];
export type CjkVariant = 'sc' | 'tc' | 'jp' | 'kr';

export interface FontFace {
  path: string;
  /** The face inside a .ttc collection; pdfkit passes it to fontkit. */
  postscriptName?: string;
}

export interface PdfFonts {
  regular: Partial<Record<Family, FontFace>>;
  bold: Partial<Record<Family, FontFace>>;
}

interface FamilyFiles {
  /** Alternatives in order of preference. */
  regular: string[];
  bold: string[];
  required: boolean;
  boldRequired?: boolean;
}

const noto = (name: string): string[] => [`NotoSans${name}-Regular.ttf`];
const notoBold = (name: string): string[] => [`NotoSans${name}-Bold.ttf`];

// Naskh first: the usual book hand for Arabic and Uyghur names; Noto Sans Arabic has the same coverage.
const FILES: Record<Exclude<Family, `cjk-${string}`> | 'cjk', FamilyFiles> = {
  sans: { regular: noto(''), bold: notoBold(''), required: true, boldRequired: true },
  arabic: { regular: ['NotoNaskhArabic-Regular.ttf', ...noto('Arabic')], bold: ['NotoNaskhArabic-Bold.ttf', ...notoBold('Arabic')], required: true },
  hebrew: { regular: noto('Hebrew'), bold: notoBold('Hebrew'), required: true },
  devanagari: { regular: noto('Devanagari'), bold: notoBold('Devanagari'), required: true },
  bengali: { regular: noto('Bengali'), bold: notoBold('Bengali'), required: false },
  tamil: { regular: noto('Tamil'), bold: notoBold('Tamil'), required: false },
  thai: { regular: noto('Thai'), bold: notoBold('Thai'), required: false },
  armenian: { regular: noto('Armenian'), bold: notoBold('Armenian'), required: false },
  georgian: { regular: noto('Georgian'), bold: notoBold('Georgian'), required: false },
  ethiopic: { regular: noto('Ethiopic'), bold: notoBold('Ethiopic'), required: false },
  // One collection holds the Simplified Chinese, Traditional Chinese, Japanese and Korean faces.
  cjk: { regular: ['NotoSansCJK-Regular.ttc'], bold: ['NotoSansCJK-Bold.ttc'], required: true, boldRequired: true },
};

const CJK_FACE: Record<CjkVariant, string> = { sc: 'NotoSansCJKsc', tc: 'NotoSansCJKtc', jp: 'NotoSansCJKjp', kr: 'NotoSansCJKkr' };

/**
 * Finds the Noto fonts the packet needs in `dirs` (searched in order). Optional scripts (Thai, Bengali ...)
 * are used when present; a missing bold face falls back to the regular one. Missing required fonts are a
 * 503 naming the files, so that an operator knows what to install.
 */
export function findPdfFonts(dirs: string[]): PdfFonts {
  const locate = (names: string[]) => {
    for (const name of names) for (const dir of dirs) if (existsSync(path.join(dir, name))) return path.join(dir, name);
    return null;
  };
  const fonts: PdfFonts = { regular: {}, bold: {} };
  const missing: string[] = [];
  for (const [family, files] of Object.entries(FILES) as [keyof typeof FILES, FamilyFiles][]) {
    const regular = locate(files.regular);
    const bold = locate(files.bold);
    if (!regular && files.required) missing.push(files.regular.join(' or '));
    if (!bold && files.boldRequired) missing.push(files.bold.join(' or '));
    if (!regular) continue;
    if (family === 'cjk') {
      for (const [variant, face] of Object.entries(CJK_FACE) as [CjkVariant, string][]) {
        fonts.regular[`cjk-${variant}`] = { path: regular, postscriptName: `${face}-Regular` };
        fonts.bold[`cjk-${variant}`] = bold ? { path: bold, postscriptName: `${face}-Bold` } : { path: regular, postscriptName: `${face}-Regular` };
      }
    } else {
      fonts.regular[family] = { path: regular };
      fonts.bold[family] = { path: bold ?? regular };
    }
  }
  if (missing.length > 0) {
    throw new AppError(
      503,
      'pdf_fonts_missing',
      `Fonts for packet PDFs are missing: ${missing.join(', ')} (searched ${dirs.join(', ')}). ` +
        'Install them with `apt-get install fonts-noto-core fonts-noto-cjk`, or point PDF_FONT_DIRS at a folder holding them.',
    );
  }
  return fonts;
}

/**
 * The fonts as a lazy lookup for the composition root: the app starts without them (only packets need them),
 * a failed lookup is retried on the next call (so installing the fonts needs no restart), a found one is kept.
 */
export function createPdfFontLocator(dirList: string): () => PdfFonts {
  const dirs = dirList.split(':').filter(Boolean);
  let found: PdfFonts | null = null;
  return () => (found ??= findPdfFonts(dirs));
}
