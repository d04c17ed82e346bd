import { escapeXml } from './svg-text.js';

export interface DayCount {
  day: string;
  count: number;
}

export const MAX_DAYS = 180;
const DAY_MS = 86_400_000;
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/**
 * Every day from the first counted day to the last, zeros included (the tally only stores days
 * with signatures); at most the last `maxDays` of them.
 */
export function chartDays(daily: readonly DayCount[], maxDays = MAX_DAYS): { days: DayCount[]; truncated: boolean } {
  const first = daily[0];
  const last = daily.at(-1);
  if (!first || !last) return { days: [], truncated: false };
  const end = Date.parse(last.day);
  const start = Math.max(Date.parse(first.day), end - (maxDays - 1) * DAY_MS);
  const counts = new Map(daily.map((d) => [d.day, d.count]));
  const days: DayCount[] = [];
  for (let at = start; at <= end; at += DAY_MS) days.push({ day: dayOf(at), count: counts.get(dayOf(at)) ?? 0 });
  return { days, truncated: Date.parse(first.day) < start };
}

interface Text {
  label: string;
  /** The tooltip of one bar, e.g. "2024-05-01: 120 signatures". */
  describe: (day: DayCount) => string;
  format: (n: number) => string;
}

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { top: 12, right: 8, bottom: 28, left: 56 };

/** A bar per day, with the largest value and the first and last dates on the axes. */
export function renderDailyChart(days: readonly DayCount[], text: Text): string {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const max = Math.max(1, ...days.map((d) => d.count));
  const step = plotW / Math.max(1, days.length);
  const gap = step > 4 ? 1 : 0;
  const baseline = PAD.top + plotH;
  const round = (n: number) => Math.round(n * 10) / 10;
  const bars = days.map((d, i) => {
    const h = round((d.count / max) * plotH);
    return (
      `<rect class="bar" x="${round(PAD.left + i * step)}" y="${round(baseline - h)}" width="${round(Math.max(0.5, step - gap))}" height="${h}" fill="#3182bd">` +
      `<title>${escapeXml(text.describe(d))}</title></rect>`
    );
  });
  const first = days[0]?.day ?? '';
  const last = days.at(-1)?.day ?? '';
  const label = (x: number, y: number, anchor: string, value: string) =>
    `<text x="${x}" y="${y}" text-anchor="${anchor}" font-size="12" fill="#444444">${escapeXml(value)}</text>`;
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" class="daily-chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${escapeXml(text.label)}">` +
    `<line x1="${PAD.left}" y1="${PAD.top}" x2="${WIDTH - PAD.right}" y2="${PAD.top}" stroke="#dddddd"/>` +
    `<line x1="${PAD.left}" y1="${baseline}" x2="${WIDTH - PAD.right}" y2="${baseline}" stroke="#888888"/>` +
    label(PAD.left - 6, PAD.top + 4, 'end', text.format(max)) +
    label(PAD.left - 6, baseline, 'end', '0') +
    bars.join('') +
    label(PAD.left, HEIGHT - 8, 'start', first) +
    (days.length > 1 ? label(WIDTH - PAD.right, HEIGHT - 8, 'end', last) : '') +
    '</svg>'
  );
}
