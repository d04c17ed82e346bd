import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Petition } from '../petitions/petition-types.js';
import { purgeDate } from './signature-purge.js';

const DAY_MS = 24 * 3600_000;
const now = new Date('2026-06-30T12:00:00Z');
const daysAgo = (n: number) => new Date(now.getTime() - n * DAY_MS);
const petition = (over: Partial<Pick<Petition, 'status' | 'closesAt' | 'updatedAt' | 'retention'>>) => ({
  status: 'open' as const,
  closesAt: null,
  updatedAt: daysAgo(400),
  retention: { after: 'delivered' as const, days: 30 },
  ...over,
});

describe('when personal data goes under a retention rule', () => {
  test('when a petition counted from its last delivery is still open, then no date is given however old the delivery, since more deliveries may follow', () => {
    assert.deepEqual(purgeDate(petition({}), daysAgo(200), now), { date: null, waiting: 'close' });
  });

  test('when it has closed, then the date is the last delivery plus the days, or none while nothing was delivered', () => {
    const closed = petition({ status: 'closed', updatedAt: daysAgo(10) });
    assert.deepEqual(purgeDate(closed, daysAgo(40), now), { date: daysAgo(10), waiting: null });
    assert.deepEqual(purgeDate(closed, null, now), { date: null, waiting: 'delivery' });
  });

  test('when a petition counted from its closing reaches its closing time, then the date is that time plus the days, and none before', () => {
    const rule = { after: 'closed' as const, days: 30 };
    assert.deepEqual(purgeDate(petition({ retention: rule, closesAt: daysAgo(5) }), null, now), { date: new Date(daysAgo(5).getTime() + 30 * DAY_MS), waiting: null });
    assert.deepEqual(purgeDate(petition({ retention: rule, closesAt: new Date(now.getTime() + DAY_MS) }), null, now), { date: null, waiting: 'close' });
  });
});
