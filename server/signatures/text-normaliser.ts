export type TextResult = { ok: true; value: string } | { ok: false; reason: 'required' | 'too_long' | 'invalid_characters' | 'invalid' };

// Bidi embeddings, overrides and isolates can make a name display as something else.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069]/u;
const CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_NEWLINE = /[^\P{Cc}\n]/u;
// What invalid UTF-8 (decoded to U+FFFD) and unpaired UTF-16 surrogates leave behind: never part of real text.
const BROKEN_ENCODING = /[\p{Cs}\uFFFD]/u;

const length = (s: string) => [...s].length;

/** Person names: Unicode NFC, collapsed whitespace, no control, bidi-override or broken-encoding characters. */
export function normaliseName(input: string, max = 100): TextResult {
  const value = input.normalize('NFC');
  if (CONTROL.test(value) || BIDI_CONTROLS.test(value) || BROKEN_ENCODING.test(value)) return { ok: false, reason: 'invalid_characters' };
  const collapsed = value.replace(/\s+/gu, ' ').trim();
  if (!collapsed) return { ok: false, reason: 'required' };
  if (length(collapsed) > max) return { ok: false, reason: 'too_long' };
  if (!/\p{L}/u.test(collapsed)) return { ok: false, reason: 'invalid' };
  return { ok: true, value: collapsed };
}

/** Free text such as comments: newlines allowed, other control, bidi-override and broken-encoding characters not. */
export function normaliseComment(input: string, max = 500): TextResult {
  const value = input.normalize('NFC').replace(/\r\n?/g, '\n').trim();
  if (CONTROL_EXCEPT_NEWLINE.test(value) || BIDI_CONTROLS.test(value) || BROKEN_ENCODING.test(value)) return { ok: false, reason: 'invalid_characters' };
  if (length(value) > max) return { ok: false, reason: 'too_long' };
  return { ok: true, value };
}

export function normalisePostcode(input: string): TextResult {
  const value = input.normalize('NFC').replace(/\s+/gu, ' ').trim().toUpperCase();
  if (!value) return { ok: true, value: '' };
  if (length(value) > 16) return { ok: false, reason: 'too_long' };
  if (!/^[\p{L}\p{N}][\p{L}\p{N} -]*$/u.test(value)) return { ok: false, reason: 'invalid_characters' };
  return { ok: true, value };
}
