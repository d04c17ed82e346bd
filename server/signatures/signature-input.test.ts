import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSignatureInput, type FieldErrors } from './signature-input.js';

const valid = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  firstName: 'Mihrigul',
  lastName: 'Tursun',
  email: 'mihrigul@example.org',
  country: 'GB',
  ...overrides,
});

const fieldErrors = (body: unknown, strict = true): FieldErrors => {
  const result = parseSignatureInput(body, { strict });
  assert.equal(result.ok, false, `expected ${JSON.stringify(body)} to be refused`);
  return result.ok ? {} : result.fields;
};

describe('parseSignatureInput', () => {
  test('when the input is good, then every field comes back normalised', () => {
    const result = parseSignatureInput(
      valid({
        firstName: '  Ren\u0065\u0301e  ',
        lastName: 'van  der   Berg',
        email: ' Jane.Doe+news@GoogleMail.com ',
        country: 'fr',
        postcode: ' 75001 ',
        comment: ' Free them.\r\nNow. ',
        updates: 'on',
        hideName: true,
        ref: ' newsletter_2024 ',
        referrer: 'News.Example.ORG',
        via: ' RnGCIYTM1_ng ',
      }),
      { strict: true },
    );
    assert.deepEqual(result, {
      ok: true,
      value: {
        firstName: 'Ren\u00e9e',
        lastName: 'van der Berg',
        email: 'jane.doe+news@googlemail.com',
        canonicalEmail: 'janedoe@gmail.com',
        emailDomain: 'gmail.com',
        country: 'FR',
        postcode: '75001',
        comment: 'Free them.\nNow.',
        updates: true,
        hideName: true,
        ref: 'newsletter_2024',
        referrer: 'news.example.org',
        via: 'RnGCIYTM1_ng',
      },
    });
  });

  test('when `via` is not a personal share code (12 letters, digits, dashes or underscores), then it is reported as \'via_invalid\'', () => {
    for (const via of ['short', 'RnGCIYTM1_ng1', 'RnGCIYTM1.ng', '<script>x</']) assert.deepEqual(fieldErrors(valid({ via })), { via: 'via_invalid' }, via);
  });

  test('when optional fields are left out, then they get empty defaults', () => {
    const result = parseSignatureInput(valid(), { strict: true });
    assert.ok(result.ok);
    assert.equal(result.value.postcode, '');
    assert.equal(result.value.comment, '');
    assert.equal(result.value.updates, false);
    assert.equal(result.value.hideName, false);
    assert.equal(result.value.ref, null);
    assert.equal(result.value.referrer, null);
  });

  const wrongTypes: [string, unknown][] = [
    ['an operator object {"$gt":""}', { $gt: '' }],
    ['an array', ['a@example.org']],
    ['a number', 42],
    ['null', null],
    ['a boolean', true],
  ];
  for (const field of ['firstName', 'lastName', 'email', 'country', 'postcode', 'comment', 'ref']) {
    for (const [what, value] of wrongTypes) {
      test(`when ${field} is ${what}, then the field is reported as 'type'`, () => {
        assert.deepEqual(fieldErrors(valid({ [field]: value })), { [field]: 'type' });
      });
    }
  }

  test('when updates or hideName are not a boolean or a checkbox value, then they are reported as \'boolean\'', () => {
    assert.deepEqual(fieldErrors(valid({ updates: 'maybe', hideName: { $ne: false } })), { updates: 'boolean', hideName: 'boolean' });
    assert.deepEqual(fieldErrors(valid({ updates: 1 })), { updates: 'boolean' });
  });

  test('when checkboxes arrive as form strings, then on/true/1/yes are true and the rest false', () => {
    for (const yes of ['on', 'true', '1', 'yes', true]) {
      const result = parseSignatureInput(valid({ updates: yes, hideName: yes }), { strict: true });
      assert.ok(result.ok && result.value.updates && result.value.hideName, String(yes));
    }
    for (const no of ['', 'false', '0', 'no', false]) {
      const result = parseSignatureInput(valid({ updates: no, hideName: no }), { strict: true });
      assert.ok(result.ok && !result.value.updates && !result.value.hideName, String(no));
    }
  });

  test('when required fields are missing or blank, then each is reported as \'required\'', () => {
    assert.deepEqual(fieldErrors({}), { firstName: 'required', lastName: 'required', email: 'required', country: 'required' });
    assert.deepEqual(fieldErrors(valid({ firstName: '   ', email: ' ', country: '' })), { firstName: 'required', email: 'required', country: 'required' });
  });

  test('when the country is not an ISO code, then it is reported as \'country_unknown\'', () => {
    for (const country of ['ZZ', 'zz', 'GBR', 'UK', '$gt']) assert.deepEqual(fieldErrors(valid({ country })), { country: 'country_unknown' }, country);
  });

  test('when the country is absurdly long, then it is too long before it is looked up', () => {
    assert.deepEqual(fieldErrors(valid({ country: 'G'.repeat(9) })), { country: 'too_long' });
  });

  test('when the email is not an address, then it is reported as \'email_invalid\', and past 254 characters as \'too_long\'', () => {
    assert.deepEqual(fieldErrors(valid({ email: 'not-an-address' })), { email: 'email_invalid' });
    assert.deepEqual(fieldErrors(valid({ email: 'a@example.org\r\nBcc: b@example.org' })), { email: 'email_invalid' });
    assert.deepEqual(fieldErrors(valid({ email: `${'a'.repeat(60)}@${'b'.repeat(200)}.org` })), { email: 'too_long' });
  });

  test('when the referrer is not a host name, then it is reported as \'referrer_invalid\'', () => {
    for (const referrer of ['https://example.org/page', 'exa mple.org', 'localhost', '<b>.org', 'a..b.org']) {
      assert.deepEqual(fieldErrors(valid({ referrer })), { referrer: 'referrer_invalid' }, referrer);
    }
  });

  test('when a ref has characters other than letters, digits, dash and underscore, then it is reported as \'ref_invalid\'', () => {
    assert.deepEqual(fieldErrors(valid({ ref: '<script>' })), { ref: 'ref_invalid' });
    assert.deepEqual(fieldErrors(valid({ ref: 'a'.repeat(41) })), { ref: 'too_long' });
  });

  test('when strict, then unknown fields are refused by name, including prototype keys', () => {
    assert.deepEqual(fieldErrors(valid({ admin: true, status: 'confirmed' })), { admin: 'unknown_field', status: 'unknown_field' });
    assert.deepEqual(fieldErrors(valid({ constructor: { prototype: {} } })), { constructor: 'unknown_field' });
    const withProto = JSON.parse(`{"__proto__":{"admin":true},${JSON.stringify(valid()).slice(1)}`) as unknown;
    const fields = fieldErrors(withProto);
    assert.ok(Object.hasOwn(fields, '__proto__'));
    assert.equal(fields.__proto__, 'unknown_field');
    assert.deepEqual(Object.keys(fields), ['__proto__']);
  });

  test('when not strict, then unknown fields are ignored', () => {
    assert.ok(parseSignatureInput(valid({ _csrf: 'x', website: '', started: '1' }), { strict: false }).ok);
  });

  test('when the body is not an object, then it is reported as \'type\' on the body', () => {
    for (const body of [null, undefined, 'text', 42, [], [valid()]]) assert.deepEqual(fieldErrors(body), { body: 'type' }, JSON.stringify(body));
  });

  test('when several fields are wrong, then every one is reported at once', () => {
    assert.deepEqual(
      fieldErrors({
        firstName: 'Ana\u202e',
        lastName: '1234',
        email: { $gt: '' },
        country: 'ZZ',
        postcode: '<b>',
        comment: 'x'.repeat(501),
        updates: 'maybe',
        ref: 'a b',
        extra: 1,
      }),
      {
        extra: 'unknown_field',
        email: 'type',
        updates: 'boolean',
        firstName: 'invalid_characters',
        lastName: 'invalid',
        country: 'country_unknown',
        postcode: 'invalid_characters',
        comment: 'too_long',
        ref: 'ref_invalid',
      },
    );
  });
});
