import { z } from 'zod';

// What organisers type into the workspace ends up in plain-text emails, CSV files, PDFs and the JSON
// API. A line break in a one-line field (a city, a title) would start a line of its own there, such as
// a forged "Bcc:" in a letter, so one-line fields hold no control character at all, nor the Unicode
// line and paragraph separators; texts of several lines may break lines (LF or CRLF) and hold tabs.
const NOT_ONE_LINE = /[\p{Cc}\u2028\u2029]/u;
const NOT_TEXT = /(?!\r\n)[^\P{Cc}\t\n]/u;

export const isSingleLine = (value: string): boolean => !NOT_ONE_LINE.test(value);
export const isMultiLine = (value: string): boolean => !NOT_TEXT.test(value);

// Error messages are field codes; the catalogue turns them into sentences (errors.field.*).
const trimmed = (max: number, optional: boolean) => {
  const text = z.string().trim();
  return (optional ? text : text.min(1, 'required')).max(max, 'too_long');
};

/** A one-line text field, trimmed, at most `max` characters: 'single_line' when it holds a control character. */
export const singleLine = (max: number, { optional = false } = {}) => trimmed(max, optional).refine(isSingleLine, 'single_line');

/** A text of several lines (notes, a petition's body), trimmed: 'control_characters' for any control character but LF, CRLF and tab. */
export const multiLine = (max: number, { optional = false } = {}) => trimmed(max, optional).refine(isMultiLine, 'control_characters');
