import sharp, { type OverlayOptions } from 'sharp';
import type { CjkVariant } from '../packets/pdf/fonts.js';
import { wrapLines, type GlyphText } from './glyph-text.js';

export const WIDTH = 1200;
export const HEIGHT = 630;

/** What one share image shows, its texts already in the image's language. */
export interface ShareCard {
  /** The image's language: that of the labels. */
  language: string;
  /** The image's language is right to left: everything is aligned to the right and the bar fills from there. */
  rtl: boolean;
  title: string;
  /** The title's language (the petition's main one when it lacks the image's): its word breaks and Chinese face. */
  titleLanguage: string;
  countLine: string;
  goalLine: string;
  /** Share of the goal reached, 0 to 1. */
  progress: number;
  siteName: string;
  /** The petition's own picture, shown on the end side (any format sharp reads). */
  image: Buffer | null;
}

const MARGIN = 72;
const IMAGE_WIDTH = 420;
const COLOURS = { fg: '#1b1b1b', muted: '#555555', accent: '#006b3c', track: '#dfe7e2', bg: '#ffffff' };
// Largest first: the biggest size at which the title fits in three lines; below the last one it is cut with "…".
const TITLE_SIZES = [68, 60, 52, 46];
const TITLE_LINES = 3;

const cjkOf = (lang: string): CjkVariant => (lang === 'zh-Hant' ? 'tc' : 'sc');

/** The title in at most three lines at the largest size that fits `width`; the last line cut with "…" if need be. */
function titleLines(card: ShareCard, text: GlyphText, width: number) {
  const cjk = cjkOf(card.titleLanguage);
  let lines: string[] = [];
  let size = TITLE_SIZES[0]!;
  for (size of TITLE_SIZES) {
    const fits = (line: string) => text.width(line, size, cjk) <= width;
    lines = wrapLines(card.title, card.titleLanguage, fits);
    if (lines.length <= TITLE_LINES) return { lines, size, cjk };
  }
  const kept = lines.slice(0, TITLE_LINES);
  let last = [...kept[TITLE_LINES - 1]!];
  while (last.length > 1 && text.width(`${last.join('').trimEnd()}…`, size, cjk) > width) last = last.slice(0, -1);
  kept[TITLE_LINES - 1] = `${last.join('').trimEnd()}…`;
  return { lines: kept, size, cjk };
}

/** The card as SVG: every letter an outline (see glyph-text.ts), no <text>. */
export function shareCardSvg(card: ShareCard, text: GlyphText): string {
  const hasImage = card.image !== null;
  const left = card.rtl && hasImage ? IMAGE_WIDTH + MARGIN : MARGIN;
  const width = WIDTH - 2 * MARGIN - (hasImage ? IMAGE_WIDTH : 0);
  const place = (svg: { svg: string; width: number }, y: number, colour: string) => {
    const x = card.rtl ? left + width - svg.width : left;
    return `<g transform="translate(${x.toFixed(2)} ${y})" fill="${colour}">${svg.svg}</g>`;
  };
  const labels = cjkOf(card.language);
  const parts: string[] = [`<rect width="${WIDTH}" height="${HEIGHT}" fill="${COLOURS.bg}"/>`];
  parts.push(`<rect x="${card.rtl ? WIDTH - 14 : 0}" width="14" height="${HEIGHT}" fill="${COLOURS.accent}"/>`);
  parts.push(place(text.set(card.siteName, 30, labels), 104, COLOURS.accent));

  const title = titleLines(card, text, width);
  const lineHeight = Math.round(title.size * 1.28);
  title.lines.forEach((line, i) => parts.push(place(text.set(line, title.size, title.cjk), 190 + title.size * 0.3 + i * lineHeight, COLOURS.fg)));

  parts.push(place(text.set(card.countLine, 50, labels), 488, COLOURS.fg));
  const filled = Math.round(width * Math.min(1, Math.max(0, card.progress)));
  parts.push(`<rect x="${left}" y="516" width="${width}" height="22" rx="11" fill="${COLOURS.track}"/>`);
  if (filled > 0) parts.push(`<rect x="${card.rtl ? left + width - filled : left}" y="516" width="${Math.max(filled, 22)}" height="22" rx="11" fill="${COLOURS.accent}"/>`);
  parts.push(place(text.set(card.goalLine, 28, labels), 586, COLOURS.muted));
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}">${parts.join('')}</svg>`;
}

/** The card as a 1200×630 PNG: the SVG rasterised by sharp (librsvg), the petition's picture laid over its end side. */
export async function renderShareCard(card: ShareCard, text: GlyphText): Promise<Buffer> {
  const layers: OverlayOptions[] = [];
  if (card.image) {
    const picture = await sharp(card.image).rotate().resize(IMAGE_WIDTH, HEIGHT, { fit: 'cover' }).toBuffer();
    layers.push({ input: picture, left: card.rtl ? 0 : WIDTH - IMAGE_WIDTH, top: 0 });
  }
  return sharp(Buffer.from(shareCardSvg(card, text))).composite(layers).png({ compressionLevel: 8 }).toBuffer();
}
