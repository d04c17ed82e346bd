import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { z } from 'zod';
import { multiLine, singleLine } from './plain-text.js';

/** The value a schema accepts, or the field code of its first problem. */
const outcome = (schema: z.ZodType<string>, value: string) => {
  const parsed = schema.safeParse(value);
  return parsed.success ? { ok: parsed.data } : { refused: parsed.error.issues[0]?.message };
};

const C0_AND_C1 = [...Array.from({ length: 0x20 }, (_, i) => i), ...Array.from({ length: 0x21 }, (_, i) => 0x7f + i)].map((c) => String.fromCharCode(c));
const hex = (s: string) => `U+${s.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;

describe('singleLine', () => {
  test('when a city carries a CRLF and a forged header, then it is refused as not a single line', () => {
    assert.deepEqual(outcome(singleLine(100), 'Paris\r\nBcc: x@evil.example'), { refused: 'single_line' });
  });

  test('when any C0 or C1 control character, or a Unicode line or paragraph separator, is inside, then it is refused', () => {
    const accepted = [...C0_AND_C1, '\u2028', '\u2029'].filter((c) => singleLine(100).safeParse(`Pa${c}ris`).success).map(hex);
    assert.deepEqual(accepted, []);
  });

  test('when a text is in any script, with accents, dashes and curly quotes, then it is kept, trimmed', () => {
    for (const value of ['Embassy of the People’s Republic of China, London', 'Ürümqi — 乌鲁木齐', 'الرياض', 'Łódź']) {
      assert.deepEqual(outcome(singleLine(100), `  ${value} `), { ok: value });
    }
  });

  test('when the field is blank or too long, then it says so; when optional, blank is accepted', () => {
    assert.deepEqual(outcome(singleLine(5), '   '), { refused: 'required' });
    assert.deepEqual(outcome(singleLine(5), 'abcdef'), { refused: 'too_long' });
    assert.deepEqual(outcome(singleLine(5, { optional: true }), ''), { ok: '' });
    assert.deepEqual(outcome(singleLine(5, { optional: true }), 'a\nb'), { refused: 'single_line' });
  });
});

describe('multiLine', () => {
  test('when a text has LF and CRLF line breaks and tabs, then it is kept as typed', () => {
    const body = 'First paragraph.\r\n\r\nSecond,\tindented.\nThird.';
    assert.deepEqual(outcome(multiLine(1000), body), { ok: body });
  });

  test('when a text holds any other control character, a lone CR included, then it is refused', () => {
    const accepted = C0_AND_C1.filter((c) => !['\t', '\n'].includes(c))
      .filter((c) => multiLine(1000).safeParse(`Line one${c}line two`).success)
      .map(hex);
    assert.deepEqual(accepted, []);
    assert.deepEqual(outcome(multiLine(1000), 'a\u0000b'), { refused: 'control_characters' });
  });
});
