import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normaliseComment, normaliseName, normalisePostcode } from './text-normaliser.js';

const DECOMPOSED_E = 'e\u0301';
const COMPOSED_E = '\u00e9';

describe('normaliseName', () => {
  test('when a name has a decomposed accent, then it is stored composed (NFC)', () => {
    const result = normaliseName(`Ren${DECOMPOSED_E}e`);
    assert.deepEqual(result, { ok: true, value: `Ren${COMPOSED_E}e` });
    assert.ok(result.ok && [...result.value].length === 5);
  });

  test('when a name has runs of spaces, including no-break and ideographic spaces, then they collapse to one space and are trimmed', () => {
    assert.deepEqual(normaliseName('  Mary \u00a0  Ann\u3000Smith  '), { ok: true, value: 'Mary Ann Smith' });
  });

  test('when a name is in a non-Latin script, then it is kept as typed', () => {
    for (const name of ['Мигрань', 'محمد', '李小龍', 'Nguyễn']) assert.deepEqual(normaliseName(name), { ok: true, value: name });
  });

  const rejected: [string, string][] = [
    ['a NUL character', 'Ana\u0000'],
    ['a bell character (U+0007)', 'An\u0007a'],
    ['an escape character', '\u001b[31mAna'],
    ['a tab', 'Ana\tLima'],
    ['CR/LF', 'Ana\r\nBcc: x@example.org'],
    ['DEL (U+007F)', 'Ana\u007f'],
    ['a right-to-left override (U+202E)', 'Ana\u202eamiL'],
    ['a left-to-right isolate (U+2066)', '\u2066Ana\u2069'],
    ['a left-to-right embedding (U+202A)', '\u202aAna'],
    ['a replacement character left by invalid UTF-8', 'Ana\ufffd'],
    ['a lone surrogate', 'Ana\ud800'],
  ];
  for (const [what, input] of rejected) {
    test(`when a name contains ${what}, then it is rejected for its characters`, () => {
      assert.deepEqual(normaliseName(input), { ok: false, reason: 'invalid_characters' });
    });
  }

  test('when a name is empty or only spaces, then it is required', () => {
    assert.deepEqual(normaliseName(''), { ok: false, reason: 'required' });
    assert.deepEqual(normaliseName(' \u00a0 '), { ok: false, reason: 'required' });
  });

  test('when a name is 100 code points, then it is accepted, and at 101 it is too long', () => {
    assert.ok(normaliseName('a'.repeat(100)).ok);
    assert.deepEqual(normaliseName('a'.repeat(101)), { ok: false, reason: 'too_long' });
  });

  test('when a name uses characters outside the BMP, then length counts code points, not UTF-16 units', () => {
    assert.ok(normaliseName('𝒜'.repeat(100)).ok);
    assert.deepEqual(normaliseName('𝒜'.repeat(101)), { ok: false, reason: 'too_long' });
  });

  test('when a name has no letters, then it is invalid', () => {
    for (const name of ['12345', '!!!', '- -', '😀']) assert.deepEqual(normaliseName(name), { ok: false, reason: 'invalid' }, name);
  });
});

describe('normaliseComment', () => {
  test('when a comment has newlines, then they are kept and CRLF becomes LF', () => {
    assert.deepEqual(normaliseComment('First line.\r\nSecond line.\rThird.\n\nFourth.'), { ok: true, value: 'First line.\nSecond line.\nThird.\n\nFourth.' });
  });

  test('when a comment is decomposed and padded, then it is composed and trimmed', () => {
    assert.deepEqual(normaliseComment(`  caf${DECOMPOSED_E}  `), { ok: true, value: `caf${COMPOSED_E}` });
  });

  test('when a comment is empty, then it is accepted as empty', () => {
    assert.deepEqual(normaliseComment(''), { ok: true, value: '' });
  });

  const rejected: [string, string][] = [
    ['a NUL character', 'Free them\u0000'],
    ['a bell character', 'Free\u0007 them'],
    ['an escape sequence', '\u001b]0;owned\u0007'],
    ['a tab', 'Free\tthem'],
    ['a right-to-left override', 'Free \u202eth'],
    ['a first-strong isolate (U+2068)', 'Free \u2068them\u2069'],
    ['a replacement character', 'Free them\ufffd'],
  ];
  for (const [what, input] of rejected) {
    test(`when a comment contains ${what}, then it is rejected for its characters`, () => {
      assert.deepEqual(normaliseComment(input), { ok: false, reason: 'invalid_characters' });
    });
  }

  test('when a comment is 500 code points, then it is accepted, and at 501 it is too long', () => {
    assert.ok(normaliseComment('x'.repeat(500)).ok);
    assert.deepEqual(normaliseComment('x'.repeat(501)), { ok: false, reason: 'too_long' });
    assert.ok(normaliseComment('😀'.repeat(500)).ok);
  });
});

describe('normalisePostcode', () => {
  test('when a postcode is typed in lower case with extra spaces, then it is upper-cased and collapsed', () => {
    assert.deepEqual(normalisePostcode('  sw1a   1aa '), { ok: true, value: 'SW1A 1AA' });
  });

  test('when a postcode has a hyphen or is numeric, then it is accepted', () => {
    assert.deepEqual(normalisePostcode('1234-567'), { ok: true, value: '1234-567' });
    assert.deepEqual(normalisePostcode('75001'), { ok: true, value: '75001' });
  });

  test('when no postcode is given, then it is accepted as empty', () => {
    assert.deepEqual(normalisePostcode(''), { ok: true, value: '' });
    assert.deepEqual(normalisePostcode('   '), { ok: true, value: '' });
  });

  test('when a postcode is longer than 16 characters, then it is too long', () => {
    assert.ok(normalisePostcode('A'.repeat(16)).ok);
    assert.deepEqual(normalisePostcode('A'.repeat(17)), { ok: false, reason: 'too_long' });
  });

  test('when a postcode has punctuation, operators or starts with a hyphen, then it is rejected for its characters', () => {
    for (const input of ['$gt', 'SW1A;1AA', '<b>', '-123', 'AB\u0000', 'AB\u202e1']) {
      assert.deepEqual(normalisePostcode(input), { ok: false, reason: 'invalid_characters' }, input);
    }
  });
});
