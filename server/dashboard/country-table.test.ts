import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseSort, sortHeaders, sortRows, type CountryRow } from './country-table.js';

const row = (code: string, name: string, total: number): CountryRow => ({ code, name, online: total, paper: 0, total });
const rows = [row('GB', 'United Kingdom', 5), row('AT', 'Austria', 5), row('FR', 'France', 9), row('ZA', 'South Africa', 1)];
const codes = (list: CountryRow[]) => list.map((r) => r.code);

describe('country table sorting', () => {
  test('when no sort is asked for, then the largest total comes first', () => {
    assert.deepEqual(parseSort({}), { key: 'count', dir: 'desc' });
  });

  test('when only a key is given, then it sorts in that key’s natural direction', () => {
    assert.deepEqual(parseSort({ sort: 'name' }), { key: 'name', dir: 'asc' });
    assert.deepEqual(parseSort({ sort: 'count' }), { key: 'count', dir: 'desc' });
  });

  test('when the sort or direction is unknown, then it is refused with a 400', () => {
    for (const query of [{ sort: 'email' }, { dir: 'up' }, { sort: ['name', 'code'] }]) {
      assert.throws(() => parseSort(query), (e: { status?: number; code?: string }) => e.status === 400 && e.code === 'invalid_sort');
    }
  });

  test('when sorting by each key both ways, then rows come in that order and ties fall back to the code, A to Z', () => {
    const expected: [Parameters<typeof sortRows>[1], string[]][] = [
      [{ key: 'count', dir: 'desc' }, ['FR', 'AT', 'GB', 'ZA']],
      [{ key: 'count', dir: 'asc' }, ['ZA', 'AT', 'GB', 'FR']],
      [{ key: 'name', dir: 'asc' }, ['AT', 'FR', 'ZA', 'GB']],
      [{ key: 'name', dir: 'desc' }, ['GB', 'ZA', 'FR', 'AT']],
      [{ key: 'code', dir: 'asc' }, ['AT', 'FR', 'GB', 'ZA']],
      [{ key: 'code', dir: 'desc' }, ['ZA', 'GB', 'FR', 'AT']],
    ];
    for (const [sort, order] of expected) assert.deepEqual(codes(sortRows(rows, sort, 'en')), order, `${sort.key} ${sort.dir}`);
  });

  test('when a header is the sorted one, then its link flips the direction and it carries aria-sort', () => {
    const headers = sortHeaders({ key: 'name', dir: 'asc' });
    assert.deepEqual(headers.name, { href: '?sort=name&dir=desc#countries', ariaSort: 'ascending' });
    assert.deepEqual(headers.count, { href: '?sort=count&dir=desc#countries', ariaSort: undefined });
    assert.deepEqual(headers.code, { href: '?sort=code&dir=asc#countries', ariaSort: undefined });
  });
});
