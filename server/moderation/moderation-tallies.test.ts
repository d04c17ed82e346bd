import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tallyChanges, viaChanges } from './moderation-tallies.js';

describe('tallyChanges', () => {
  const at = new Date('2025-05-01T10:00:00Z');
  const base = { country: 'GB', createdAt: at, confirmedAt: null, collectedAt: null, via: null } as const;

  test('when signatures are invalidated, then each leaves the counter and the day that counted it and joins invalidated', () => {
    const changes = tallyChanges(
      [
        { ...base, was: 'confirmed', source: 'online', confirmedAt: new Date('2025-05-02T10:00:00Z') },
        { ...base, was: 'confirmed', source: 'paper', collectedAt: new Date('2025-04-30T10:00:00Z') },
        { ...base, was: 'pending', source: 'online' },
      ],
      -1,
    );
    assert.deepEqual(changes, { 'counts.GB': -1, 'daily.2025-05-02': -1, 'paper.GB': -1, 'daily.2025-04-30': -1, pending: -1, invalidated: 3 });
  });

  test('when they are restored, then the same counters move back', () => {
    assert.deepEqual(tallyChanges([{ ...base, was: 'confirmed', source: 'online' }], 1), { 'counts.GB': 1, 'daily.2025-05-01': 1, invalidated: -1 });
  });

  test('when signatures that came through personal links are invalidated, then only the counted ones leave their link\'s count', () => {
    const changes = viaChanges(
      [
        { ...base, was: 'confirmed', source: 'online', via: 'AAAAAAAAAAAA' },
        { ...base, was: 'confirmed', source: 'online', via: 'AAAAAAAAAAAA' },
        { ...base, was: 'pending', source: 'online', via: 'BBBBBBBBBBBB' },
        { ...base, was: 'confirmed', source: 'online' },
      ],
      -1,
    );
    assert.deepEqual([...changes], [['AAAAAAAAAAAA', -2]]);
  });
});
