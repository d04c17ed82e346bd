import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseDay, resolveCountry, validatePaperRow } from './paper-row.js';

const NOW = new Date('2025-06-01T12:00:00Z');
const aRow = (overrides: Record<string, string> = {}) => ({
  first_name: ' Ann ',
  last_name: 'Lee',
  email: 'Ann.Lee+petition@GoogleMail.com',
  country: 'gb',
  postcode: 'n1  9gu',
  collected_at: '2025-03-14',
  collected_where: 'Trafalgar Square,   London',
  ...overrides,
});

describe('resolveCountry', () => {
  test('when given an alpha-2 code in any case or an English name, then it resolves to the code', () => {
    assert.equal(resolveCountry('GB'), 'GB');
    assert.equal(resolveCountry(' fr '), 'FR');
    assert.equal(resolveCountry('United Kingdom'), 'GB');
    assert.equal(resolveCountry('germany'), 'DE');
    assert.equal(resolveCountry("Côte d'Ivoire"), 'CI');
  });

  test('when given something that is not a country, then it is null', () => {
    for (const input of ['Narnia', 'ZZ', '', 'G', 'GBR1']) assert.equal(resolveCountry(input), null, input);
  });
});

describe('parseDay', () => {
  test('when a date is YYYY-MM-DD and exists, then it is that UTC midnight; otherwise null', () => {
    assert.deepEqual(parseDay('2024-02-29'), new Date('2024-02-29T00:00:00Z'));
    for (const input of ['2025-02-29', '2025-13-01', '14/03/2025', '2025-3-14', '2025-03-14T10:00']) assert.equal(parseDay(input), null, input);
  });
});

describe('validatePaperRow', () => {
  test('when every field is good, then it is normalised like an online signature', () => {
    assert.deepEqual(validatePaperRow(aRow(), NOW), {
      ok: true,
      row: {
        firstName: 'Ann',
        lastName: 'Lee',
        email: { address: 'ann.lee+petition@googlemail.com', canonical: 'annlee@gmail.com', domain: 'gmail.com' },
        country: 'GB',
        postcode: 'N1 9GU',
        collectedOn: '2025-03-14',
        collectedAt: new Date('2025-03-14T00:00:00Z'),
        collectedWhere: 'Trafalgar Square, London',
        language: null,
        updates: false,
      },
    });
  });

  test('when email and postcode are empty or missing, then the row is still good without them', () => {
    const result = validatePaperRow({ ...aRow({ email: '' }), postcode: undefined }, NOW);
    assert.ok(result.ok);
    assert.equal(result.row.email, null);
    assert.equal(result.row.postcode, '');
  });

  test('when several fields are wrong, then every problem is reported, in column order', () => {
    const result = validatePaperRow(aRow({ first_name: '', email: 'not-an-email', country: 'Narnia', collected_at: '14/03/2025', collected_where: '42' }), NOW);
    assert.deepEqual(result, {
      ok: false,
      reasons: [
        { code: 'required', column: 'first_name' },
        { code: 'noLetters', column: 'collected_where' },
        { code: 'emailInvalid' },
        { code: 'countryUnknown', value: 'Narnia' },
        { code: 'dateInvalid', value: '14/03/2025' },
      ],
    });
  });

  test('when collected_where holds address lines in one cell, then they become one line', () => {
    const result = validatePaperRow(aRow({ collected_where: 'Market Street,\nManchester' }), NOW);
    assert.equal(result.ok && result.row.collectedWhere, 'Market Street, Manchester');
  });

  test('when a name carries a control or bidi-override character, then it is refused as not allowed', () => {
    assert.deepEqual(validatePaperRow(aRow({ last_name: 'Lee\u202e' }), NOW), { ok: false, reasons: [{ code: 'invalidCharacters', column: 'last_name' }] });
  });

  test('when collected_at is after tomorrow, then it is in the future; today and tomorrow (time zones) pass', () => {
    assert.deepEqual(validatePaperRow(aRow({ collected_at: '2025-06-03' }), NOW), { ok: false, reasons: [{ code: 'dateFuture', value: '2025-06-03' }] });
    assert.ok(validatePaperRow(aRow({ collected_at: '2025-06-02' }), NOW).ok);
  });

  test('when language is a code the site speaks, in any case, then it is stored as that code; anything else names the column', () => {
    const languageOf = (language: string) => {
      const result = validatePaperRow(aRow({ language }), NOW);
      return result.ok ? result.row.language : result.reasons;
    };
    assert.deepEqual(['fr', ' AR ', 'zh-hant', ''].map(languageOf), ['fr', 'ar', 'zh-Hant', null]);
    assert.deepEqual(languageOf('French'), [{ code: 'languageUnknown', column: 'language', value: 'French', choices: 'en, es, fr, ar, zh-Hans, zh-Hant' }]);
    assert.deepEqual(languageOf('zh'), [{ code: 'languageUnknown', column: 'language', value: 'zh', choices: 'en, es, fr, ar, zh-Hans, zh-Hant' }]);
  });

  test('when updates is yes or no as spreadsheets write it, then it is the signer’s consent; anything else names the column', () => {
    const updatesOf = (updates: string) => {
      const result = validatePaperRow(aRow({ updates }), NOW);
      return result.ok ? result.row.updates : result.reasons;
    };
    assert.deepEqual(['yes', 'Y', 'TRUE', '1', 'x', 'no', 'N', '0', ''].map(updatesOf), [true, true, true, true, true, false, false, false, false]);
    assert.deepEqual(updatesOf('maybe'), [{ code: 'notYesNo', column: 'updates', value: 'maybe' }]);
  });

  test('when a value shown back is very long, then it is shortened to 40 characters', () => {
    const result = validatePaperRow(aRow({ country: 'x'.repeat(100) }), NOW);
    assert.ok(!result.ok);
    assert.equal([...(result.reasons[0]?.value ?? '')].length, 40);
  });
});
