/** Page geometry of the packet, in PDF points (1/72 inch). Tests derive their page-count bounds from these. */
export const A4 = { width: 595.28, height: 841.89 } as const;
export const A3 = { width: 841.89, height: 1190.55 } as const;

export const MARGIN_X = 50;
/** The running header sits above TOP, the page number below BOTTOM. */
export const HEADER_BASELINE = 34;
export const TOP = 62;
export const BOTTOM = A4.height - 52;
export const FOOTER_BASELINE = A4.height - 28;
export const CONTENT_WIDTH = A4.width - 2 * MARGIN_X;

export const BODY_SIZE = 10.5;
export const BODY_LEADING = 15;
export const SMALL_SIZE = 8;

/** Signers: three columns of 9 pt names, one name per row. */
export const NAME_SIZE = 9;
export const NAME_ROW = 11.5;
export const NAME_MIN_SIZE = 5;
export const COLUMNS = 3;
export const COLUMN_GAP = 14;
export const COLUMN_WIDTH = (CONTENT_WIDTH - (COLUMNS - 1) * COLUMN_GAP) / COLUMNS;
/** A country's heading, and the smaller "(continued)" line that opens each further page of the same country. */
export const HEADING_SIZE = 11.5;
export const HEADING_BLOCK = 24;
export const CONTINUED_BLOCK = 16;
export const COUNTRY_GAP = 10;

/** Names on a page that one country fills from top to bottom (a "(continued)" line, then full columns). */
export const namesPerFullPage = (): number => COLUMNS * Math.floor((BOTTOM - TOP - CONTINUED_BLOCK) / NAME_ROW);
