import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { describeDetails } from './audit-view.js';

describe('describeDetails', () => {
  test('when a search is shown, then its filters read as name and value, and the other details follow', () => {
    assert.equal(describeDetails({ filters: { email: '[given]', country: 'GB' }, shown: 12 }), 'filters: email [given], country GB · shown: 12');
  });

  test('when there were no filters or no details, then it says none or nothing', () => {
    assert.equal(describeDetails({ filters: {}, shown: 0 }), 'filters: none · shown: 0');
    assert.equal(describeDetails({}), '');
  });

  test('when the reader has another language, then an empty value reads in it', () => {
    assert.equal(describeDetails({ filters: {}, target: null, countries: [] }, 'aucun'), 'filters: aucun · target: aucun · countries: aucun');
  });

  test('when a detail is a list, a date or null, then each reads plainly', () => {
    assert.equal(
      describeDetails({ countries: ['GB', 'FR'], at: new Date('2025-05-01T10:00:00Z'), target: null }),
      'countries: GB, FR · at: 2025-05-01T10:00:00.000Z · target: none',
    );
  });
});
