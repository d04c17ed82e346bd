import { stringify } from 'csv-stringify/sync';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { PublishedCounts } from '../tallies/published-counts.js';
import { countryRows } from './country-table.js';
import { petitionWithTally, type Viewer } from './dashboard-service.js';

export type CountFormat = 'csv' | 'json';

export interface ExportFile {
  body: string;
  /** Countries in the file. */
  rows: number;
  contentType: string;
  filename: string;
}

interface Deps {
  petitions: PetitionRepository;
  counts: Pick<PublishedCounts, 'read'>;
  clock: () => Date;
}

/** 2024-05-01T09:07Z → 20240501-0907 (UTC), for file names that sort by time. */
export const fileStamp = (at: Date): string => at.toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');

/**
 * Counts by country, for partners and the press, from the web and the command line alike.
 * Built from the maintained tally (a few hundred rows at most), so a synchronous CSV writer is fine.
 */
export function createCountExport({ petitions, counts, clock }: Deps) {
  return {
    /** The counts `viewer` may see (dashboard-service.ts): an analyst's file holds what the public sees. Country names in `lang`. */
    async build(slug: string, format: CountFormat, viewer: Viewer, lang = 'en'): Promise<ExportFile> {
      const { petition, tally } = await petitionWithTally(petitions, counts, slug, viewer);
      const countries = countryRows(tally.countries, lang)
        .sort((a, b) => b.total - a.total || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0))
        .map((c) => ({ code: c.code, name: c.name, confirmed: c.online, paper: c.paper, total: c.total }));
      const at = clock();
      const filename = `${petition.slug}-counts-${fileStamp(at)}.${format}`;
      if (format === 'csv') {
        const body = stringify(countries, {
          bom: true,
          header: true,
          record_delimiter: '\r\n',
          columns: [
            { key: 'code', header: 'country_code' },
            { key: 'name', header: 'country_name' },
            { key: 'confirmed', header: 'confirmed' },
            { key: 'paper', header: 'paper' },
            { key: 'total', header: 'total' },
          ],
        });
        return { body, rows: countries.length, contentType: 'text/csv; charset=utf-8', filename };
      }
      const totals = { confirmed: tally.confirmed, paper: tally.paper, total: tally.total, countries: countries.length };
      const body = JSON.stringify({ petition: { slug: petition.slug, title: petition.title }, generatedAt: at.toISOString(), totals, countries }, null, 2);
      return { body: `${body}\n`, rows: countries.length, contentType: 'application/json; charset=utf-8', filename };
    },
  };
}

export type CountExport = ReturnType<typeof createCountExport>;
