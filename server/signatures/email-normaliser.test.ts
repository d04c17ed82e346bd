import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { normaliseEmail } from './email-normaliser.js';

const accepted = (input: string) => {
  const result = normaliseEmail(input);
  assert.ok(result.ok, `expected ${JSON.stringify(input)} to be accepted`);
  return result;
};

describe('normaliseEmail', () => {
  test('when an address has surrounding spaces and capitals, then it is trimmed and lowercased', () => {
    assert.deepEqual(normaliseEmail('  Ana.Lima@Example.ORG \t'), { ok: true, address: 'ana.lima@example.org', canonical: 'ana.lima@example.org', domain: 'example.org' });
  });

  test('when the domain is internationalised, then it becomes its ASCII (punycode) form', () => {
    const result = accepted('user@bücher.de');
    assert.equal(result.address, 'user@xn--bcher-kva.de');
    assert.equal(result.domain, 'xn--bcher-kva.de');
  });

  test('when the domain is googlemail.com, then the canonical form uses gmail.com but mail still goes to the typed address', () => {
    const result = accepted('ana@googlemail.com');
    assert.equal(result.address, 'ana@googlemail.com');
    assert.equal(result.canonical, 'ana@gmail.com');
    assert.equal(result.domain, 'gmail.com');
  });

  test('when a gmail address has dots and a +tag, then both are removed from the canonical form', () => {
    for (const spelling of ['jane.doe@gmail.com', 'JaneDoe+news@gmail.com', 'j.a.n.e.d.o.e+x+y@googlemail.com', ' janedoe@GMAIL.com ']) {
      assert.equal(accepted(spelling).canonical, 'janedoe@gmail.com', spelling);
    }
  });

  test('when another provider has dots and a +tag, then the tag is removed but the dots are kept', () => {
    const result = accepted('jane.doe+petitions@example.org');
    assert.equal(result.address, 'jane.doe+petitions@example.org');
    assert.equal(result.canonical, 'jane.doe@example.org');
    assert.notEqual(accepted('janedoe@example.org').canonical, result.canonical);
  });

  test('when the local part is only a +tag, then the canonical form keeps it rather than becoming empty', () => {
    assert.equal(accepted('+tag@example.org').canonical, '+tag@example.org');
  });

  const invalid: [string, string][] = [
    ['no @ at all', 'ana.example.org'],
    ['an empty local part', '@example.org'],
    ['an empty domain', 'ana@'],
    ['a space in the local part', 'ana lima@example.org'],
    ['a space in the domain', 'ana@exa mple.org'],
    ['CR/LF header injection after the domain', 'ana@example.org\r\nBcc: victim@example.net'],
    ['a LF inside the local part', 'ana\n@example.org'],
    ['a NUL character', 'ana\u0000@example.org'],
    ['two dots in a row in the local part', 'ana..lima@example.org'],
    ['a leading dot in the local part', '.ana@example.org'],
    ['a trailing dot in the local part', 'ana.@example.org'],
    ['two dots in a row in the domain', 'ana@example..org'],
    ['a domain without a dot', 'ana@localhost'],
    ['a one-letter top-level domain', 'ana@example.o'],
    ['a numeric top-level domain', 'ana@192.168.0.1'],
    ['an IP literal', 'ana@[127.0.0.1]'],
    ['a label starting with a hyphen', 'ana@-example.org'],
    ['an underscore in the domain', 'ana@ex_ample.org'],
    ['a quoted local part', '"ana"@example.org'],
    ['two @ signs', 'ana@lima@example.org'],
    ['a broken punycode label', 'ana@xn--a.org'],
    ['a replacement character left by bad UTF-8', 'ana\uFFFD@example.org'],
    ['a local part of 65 characters', `${'a'.repeat(65)}@example.org`],
  ];
  for (const [what, input] of invalid) {
    test(`when the address has ${what}, then it is rejected as invalid`, () => {
      assert.deepEqual(normaliseEmail(input), { ok: false, reason: 'invalid' });
    });
  }

  test('when the local part is exactly 64 characters, then it is accepted', () => {
    assert.equal(accepted(`${'a'.repeat(64)}@example.org`).address.length, 64 + '@example.org'.length);
  });

  test('when the address is longer than 254 characters, then it is rejected as too long', () => {
    const long = `ana@${'a'.repeat(62)}.${'b'.repeat(62)}.${'c'.repeat(62)}.${'d'.repeat(62)}.org`;
    assert.ok(long.length > 254);
    assert.deepEqual(normaliseEmail(long), { ok: false, reason: 'too_long' });
  });

  test('when an internationalised domain only exceeds 254 characters once converted to ASCII, then it is rejected as too long', () => {
    const label = 'ü'.repeat(56); // 62 characters once converted
    const input = `ana@${label}.${label}.${label}.${label}.de`;
    assert.ok(input.length <= 254);
    assert.deepEqual(normaliseEmail(input), { ok: false, reason: 'too_long' });
  });
});
