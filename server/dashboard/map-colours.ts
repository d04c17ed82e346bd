/** A sequential blue scale (ColorBrewer "Blues"), light to dark, readable with common colour-vision deficiencies. */
export const PALETTE = ['#c6dbef', '#9ecae1', '#6baed6', '#3182bd', '#08519c'] as const;
export const NO_SIGNATURES = '#e4e4e4';

export interface ColourBin {
  from: number;
  to: number;
  fill: string;
}

/** One significant digit, so legend limits read 20, 300, 4000 rather than 16, 251, 3981. */
function nice(x: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(x));
  return Math.round(x / magnitude) * magnitude;
}

/**
 * Log-scale classes from 1 to the largest count. Counts by country span orders of magnitude:
 * on a linear scale every country but the first would get the lightest colour.
 * Fewer classes when the counts are small; they take the darker end of the palette.
 */
export function colourBins(max: number, classes: number = PALETTE.length): ColourBin[] {
  if (!(max >= 1)) return [];
  const starts = [1];
  for (let i = 1; i < Math.min(classes, PALETTE.length); i++) {
    const edge = nice(max ** (i / classes));
    if (edge > (starts.at(-1) ?? 0) && edge <= max) starts.push(edge);
  }
  const offset = PALETTE.length - starts.length;
  return starts.map((from, i) => ({ from, to: (starts[i + 1] ?? max + 1) - 1, fill: PALETTE[offset + i] ?? PALETTE[4] }));
}

export function fillFor(count: number, bins: readonly ColourBin[]): string {
  let fill: string = NO_SIGNATURES;
  for (const bin of bins) if (count >= bin.from) fill = bin.fill;
  return fill;
}
