import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { createDataProtector } from '../shared/data-protector.js';
import { filterCriteria, nameMatcher, parseFilters, redactFilters, type SignatureFilters } from './moderation-filters.js';

const protector = createDataProtector(randomBytes(32));
const petitionId = '0123456789abcdef01234567';
const IP_HASH = 'a'.repeat(43);

const parsed = (input: Record<string, unknown>, allowed: string[] = []) => {
  const result = parseFilters(input, allowed);
  assert.ok(result.ok, `expected ${JSON.stringify(input)} to be accepted: ${JSON.stringify(result.ok ? null : result.fields)}`);
  return result.filters;
};
const refused = (input: Record<string, unknown>) => {
  const result = parseFilters(input);
  assert.ok(!result.ok, `expected ${JSON.stringify(input)} to be refused`);
  return result.fields;
};

describe('parseFilters', () => {
  test('when every filter is given, then each is validated and normalised', () => {
    const filters = parsed({
      email: ' Ana@Example.org ',
      domain: 'GoogleMail.com',
      country: 'gb',
      from: '2025-01-01',
      to: '2025-01-31',
      status: 'confirmed',
      source: 'paper',
      ipHash: IP_HASH,
      name: '  Ana   Lima ',
    });
    assert.deepEqual(filters, {
      email: 'Ana@Example.org',
      domain: 'gmail.com',
      country: 'GB',
      from: '2025-01-01',
      to: '2025-01-31',
      status: 'confirmed',
      source: 'paper',
      ipHash: IP_HASH,
      name: 'Ana Lima',
    });
  });

  test('when values are blank, then they are no filter at all', () => {
    assert.deepEqual(parsed({ email: '', country: '', status: '' }), {});
  });

  test('when a filter is malformed, then it is named with a reason and nothing else is accepted', () => {
    assert.deepEqual(refused({ email: 'not-an-address' }), { email: 'email_invalid' });
    assert.deepEqual(refused({ domain: 'no spaces.org' }), { domain: 'domain_invalid' });
    assert.deepEqual(refused({ country: 'QQ' }), { country: 'country_unknown' });
    assert.deepEqual(refused({ from: '2025-02-30' }), { from: 'date_invalid' });
    assert.deepEqual(refused({ from: '2025-03-02', to: '2025-03-01' }), { to: 'date_range' });
    assert.deepEqual(refused({ status: 'deleted' }), { status: 'status_unknown' });
    assert.deepEqual(refused({ source: 'fax' }), { source: 'source_unknown' });
    assert.deepEqual(refused({ ipHash: '127.0.0.1' }), { ipHash: 'ip_hash_invalid' });
    assert.deepEqual(refused({ name: 'x'.repeat(101) }), { name: 'too_long' });
    assert.deepEqual(refused({ country: ['GB', 'FR'] }), { country: 'type' });
  });

  test('when an unknown key is given, then it is refused unless the caller reads it itself', () => {
    assert.deepEqual(refused({ emial: 'a@example.org' }), { emial: 'unknown_filter' });
    assert.deepEqual(parsed({ _csrf: 'token', country: 'FR' }, ['_csrf']), { country: 'FR' });
  });
});

describe('filterCriteria', () => {
  test('when filters are given, then the criteria are keyed hashes and whole UTC days, never clear text', () => {
    const filters: SignatureFilters = { email: 'J.A.N.E+x@googlemail.com', domain: 'example.org', from: '2025-01-01', to: '2025-01-01', source: 'online' };
    const criteria = filterCriteria(petitionId, filters, protector);
    assert.deepEqual(criteria, {
      petitionId,
      emailHash: protector.emailHash('jane@gmail.com'),
      domainHash: protector.domainHash('example.org'),
      createdFrom: new Date('2025-01-01T00:00:00Z'),
      createdBefore: new Date('2025-01-02T00:00:00Z'),
      source: 'online',
    });
    assert.ok(!JSON.stringify(criteria).includes('googlemail'));
  });
});

describe('nameMatcher and redactFilters', () => {
  test('when a name filter is given, then it matches case-insensitively within first, last or both names', () => {
    const matches = nameMatcher('ana li')!;
    assert.ok(matches({ firstName: 'Ana', lastName: 'Lima' }));
    assert.ok(nameMatcher('LIMA')!({ firstName: 'Ana', lastName: 'Lima' }));
    assert.ok(!matches({ firstName: 'Anabel', lastName: 'Costa' }));
    assert.equal(nameMatcher(undefined), null);
  });

  test('when filters are written to the audit log, then the email and the name are replaced', () => {
    assert.deepEqual(redactFilters({ email: 'a@example.org', name: 'Ana', country: 'GB' }), { email: '[given]', name: '[given]', country: 'GB' });
  });
});
