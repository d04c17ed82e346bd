import type { Progress } from './progress.js';

const number = new Intl.NumberFormat('en');

/** `packet: 120,000 / 323,832 signatures (37%)`: one line a terminal rewrites in place. */
export function progressLine(label: string, { done, total }: Pick<Progress, 'done' | 'total'>, unit: string): string {
  if (total <= 0) return `${label}: ${number.format(done)} ${unit}`;
  const percent = Math.min(100, Math.floor((done / total) * 100));
  return `${label}: ${number.format(done)} / ${number.format(total)} ${unit} (${percent}%)`;
}

interface Terminal {
  isTTY?: boolean;
  write(text: string): unknown;
}

/**
 * A progress line on a terminal, rewritten with `\r` at most every `everyMs`. When the stream is
 * not a terminal (a pipe, a file, a test reading the output) it writes nothing at all.
 */
export function terminalProgress(stream: Terminal, label: string, unit: string, everyMs = 100, now = Date.now) {
  let last = -Infinity;
  let shown = false;
  return {
    /** `phaseLabel` replaces the label, e.g. to name a later phase. */
    update(progress: Progress, phaseLabel = label): void {
      if (!stream.isTTY || now() - last < everyMs) return;
      last = now();
      shown = true;
      stream.write(`\r${progressLine(phaseLabel, progress, unit)}\x1b[K`);
    },
    /** Clears the line, so that what is printed next starts at the margin. */
    end(): void {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
