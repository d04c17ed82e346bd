import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import { neutraliseCell } from '../exports/csv-safety.js';

const OPTIONS = { record_delimiter: '\r\n', quote_record_delimiter: true, cast: { string: neutraliseCell } } as const;

/**
 * signatures.csv of a packet: country code, country name (in the letter's language) and the name as
 * the packet shows it ('' for a signer shown by country only). RFC 4180 with a BOM, formula-safe
 * cells, the same rules as the signature export. Rows are written in batches, honouring backpressure.
 */
export function createPacketCsv(out: Writable) {
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  let started = false;
  return {
    async rows(code: string, country: string, names: string[]) {
      if (!started) {
        started = true;
        await write(`\ufeff${stringify([['country_code', 'country', 'name']], OPTIONS)}`);
      }
      await write(stringify(names.map((name) => [code, country, name]), OPTIONS));
    },
    async end() {
      if (!started) await write(`\ufeff${stringify([['country_code', 'country', 'name']], OPTIONS)}`);
      out.end();
      await once(out, 'finish');
    },
  };
}
