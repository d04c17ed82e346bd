import type { CjkVariant } from './fonts.js';
import {
  BOTTOM,
  COLUMN_GAP,
  COLUMN_WIDTH,
  COLUMNS,
  CONTENT_WIDTH,
  CONTINUED_BLOCK,
  COUNTRY_GAP,
  HEADING_BLOCK,
  HEADING_SIZE,
  MARGIN_X,
  NAME_MIN_SIZE,
  NAME_ROW,
  NAME_SIZE,
} from './layout.js';
import type { Letter } from './letter-language.js';
import { INK, MUTED, type PageFlow } from './page-flow.js';
import type { CountryStart } from './pdf-types.js';
import type { Typesetter } from './typesetter.js';

// Han names of signers from these countries are drawn with the face their readers expect.
const CJK_BY_COUNTRY: Record<string, CjkVariant> = { JP: 'jp', KR: 'kr', KP: 'kr', TW: 'tc', HK: 'tc', MO: 'tc', CN: 'sc', SG: 'sc' };

interface Band {
  top: number;
  rows: number;
  index: number;
}

/**
 * Signers grouped by country, in three columns read top to bottom. A country's names fill a "band" of balanced
 * columns (its count is known in advance), so each name is placed as it arrives and nothing is buffered.
 */
export function createSignerColumns(flow: PageFlow, ts: Typesetter, letter: Letter) {
  const { rtl } = letter;
  const align = rtl ? 'right' : 'left';
  let country: CountryStart | null = null;
  let left = 0;
  let placed = 0;
  let cjk = letter.cjk;
  let band: Band | null = null;

  const closeBand = () => {
    if (band) flow.y = band.top + band.rows * NAME_ROW;
    band = null;
  };

  function finish(): void {
    if (!country) return;
    closeBand();
    if (country.unnamed > 0) {
      flow.ensure(NAME_ROW * 1.5);
      flow.y += NAME_ROW * 0.5;
      const counted = letter.counted(country.unnamed);
      const line = placed > 0 ? letter.t('letter.unnamedAlso', counted) : letter.t('letter.unnamed', counted);
      ts.draw(line, MARGIN_X, flow.y + NAME_ROW * 0.78, { size: NAME_SIZE, cjk: letter.cjk, rtl, width: CONTENT_WIDTH, align, fit: true });
      flow.y += NAME_ROW;
    }
    flow.y += COUNTRY_GAP;
    country = null;
  }

  function start(next: CountryStart): void {
    finish();
    country = next;
    left = Math.max(0, next.count - next.unnamed);
    placed = 0;
    cjk = CJK_BY_COUNTRY[next.code] ?? letter.cjk;
    flow.ensure(HEADING_BLOCK + NAME_ROW);
    const heading = letter.t('letter.countryHeading', letter.counted(next.count, { country: next.name }));
    ts.draw(heading, MARGIN_X, flow.y + HEADING_SIZE * 1.3, { size: HEADING_SIZE, bold: true, cjk: letter.cjk, rtl, width: CONTENT_WIDTH, align, fit: true });
    flow.y += HEADING_BLOCK;
  }

  function openBand(current: CountryStart): Band {
    closeBand();
    if (flow.y + NAME_ROW > BOTTOM) {
      flow.newPage();
      flow.doc.fillColor(MUTED);
      ts.draw(letter.t('letter.continued', { country: current.name }), MARGIN_X, flow.y + 10, { size: NAME_SIZE, cjk: letter.cjk, rtl, width: CONTENT_WIDTH, align, fit: true });
      flow.doc.fillColor(INK);
      flow.y += CONTINUED_BLOCK;
    }
    const fits = Math.floor((BOTTOM - flow.y) / NAME_ROW);
    // More names than announced (a caller's miscount) still get placed: one more band at a time.
    const expected = Math.max(left, 1);
    const rows = expected <= fits * COLUMNS ? Math.ceil(expected / COLUMNS) : fits;
    return (band = { top: flow.y, rows, index: 0 });
  }

  function add(name: string): void {
    if (!country) throw new Error('startCountry must come before addSigners');
    const current = band && band.index < band.rows * COLUMNS ? band : openBand(country);
    const column = Math.floor(current.index / current.rows);
    const x = MARGIN_X + column * (COLUMN_WIDTH + COLUMN_GAP);
    const baseline = current.top + (current.index % current.rows) * NAME_ROW + NAME_ROW * 0.78;
    ts.draw(name, x, baseline, { size: NAME_SIZE, cjk, width: COLUMN_WIDTH, align: 'start', fit: true, minSize: NAME_MIN_SIZE });
    current.index += 1;
    placed += 1;
    left = Math.max(0, left - 1);
  }

  return { start, add, finish };
}
