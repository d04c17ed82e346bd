import { intlLocale } from '../i18n/languages.js';
import { countryName } from '../countries/countries.js';
import { AppError } from '../shared/errors.js';
import type { Tally } from '../tallies/tally-service.js';

export interface CountryRow {
  code: string;
  name: string;
  /** Confirmed online signatures. */
  online: number;
  paper: number;
  total: number;
}

/** The one mapping from tally to country rows, used by the dashboard, its JSON API and the counts export. */
export const countryRows = (countries: Tally['countries'], lang: string): CountryRow[] =>
  countries.map((c) => ({ code: c.code, name: countryName(c.code, lang), online: c.online, paper: c.paper, total: c.count }));

export const SORT_KEYS = ['count', 'name', 'code'] as const;
export type SortKey = (typeof SORT_KEYS)[number];
export type SortDirection = 'asc' | 'desc';
export interface Sort {
  key: SortKey;
  dir: SortDirection;
}

export const DEFAULT_SORT: Sort = { key: 'count', dir: 'desc' };
// Largest first for numbers, A to Z for words: what a first click on a header should do.
const NATURAL: Record<SortKey, SortDirection> = { count: 'desc', name: 'asc', code: 'asc' };

const isIn = <T extends string>(values: readonly T[], value: unknown): value is T => typeof value === 'string' && (values as readonly string[]).includes(value);

/** `?sort=count|name|code&dir=asc|desc`; absent means the default, anything else is refused. */
export function parseSort(query: Record<string, unknown>): Sort {
  const { sort, dir } = query;
  if (sort !== undefined && !isIn(SORT_KEYS, sort)) throw new AppError(400, 'invalid_sort', 'Sort by count, name or code.');
  if (dir !== undefined && !isIn(['asc', 'desc'] as const, dir)) throw new AppError(400, 'invalid_sort', 'Sort ascending (asc) or descending (desc).');
  const key = sort ?? DEFAULT_SORT.key;
  return { key, dir: dir ?? (sort === undefined ? DEFAULT_SORT.dir : NATURAL[key]) };
}

export function sortRows(rows: readonly CountryRow[], { key, dir }: Sort, lang: string): CountryRow[] {
  const collator = new Intl.Collator(intlLocale(lang));
  const byCode = (a: CountryRow, b: CountryRow) => (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
  const compare: Record<SortKey, (a: CountryRow, b: CountryRow) => number> = {
    count: (a, b) => a.total - b.total,
    name: (a, b) => collator.compare(a.name, b.name),
    code: byCode,
  };
  const sign = dir === 'asc' ? 1 : -1;
  // Ties fall back to the code, A to Z, so the order is total and the same on every request.
  return [...rows].sort((a, b) => sign * compare[key](a, b) || byCode(a, b));
}

export interface SortHeader {
  href: string;
  /** aria-sort for the column currently sorted, undefined for the others. */
  ariaSort: 'ascending' | 'descending' | undefined;
}

/** Links for the sortable headers: a sorted column flips direction, another starts in its natural one. */
export function sortHeaders(current: Sort): Record<SortKey, SortHeader> {
  const header = (key: SortKey): SortHeader => {
    const active = current.key === key;
    const dir = active ? (current.dir === 'asc' ? 'desc' : 'asc') : NATURAL[key];
    return { href: `?sort=${key}&dir=${dir}#countries`, ariaSort: active ? (current.dir === 'asc' ? 'ascending' : 'descending') : undefined };
  };
  return { count: header('count'), name: header('name'), code: header('code') };
}
