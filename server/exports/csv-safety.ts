/**
 * First characters that make a spreadsheet read a cell as a formula (=, +, -, @) or that can hide
 * one after a leading control character (tab, CR). OWASP's CSV-injection advice: prefix a quote.
 * The full-width forms too, because Apple Numbers folds them to the ASCII ones.
 */
const FORMULA_STARTS = new Set(['=', '+', '-', '@', '\t', '\r', '\uFF1D', '\uFF0B', '\uFF0D', '\uFF20']);

/** A text cell made safe to open in Excel, LibreOffice or Google Sheets; innocent values are unchanged. */
export const neutraliseCell = (value: string): string => (FORMULA_STARTS.has(value.charAt(0)) ? `'${value}` : value);
