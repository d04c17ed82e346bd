import { appendFile, readFile } from 'node:fs/promises';
import path from 'node:path';

export interface SpoolEntry {
  countedAt: number;
  leaf: string;
  name: string;
}

const FLUSH_BYTES = 2 * 1024 * 1024;

/**
 * Signers sorted into one file per country, so that the packet can list them country by country
 * while holding only one country in memory, never the whole petition. The files hold what the
 * packet itself will show (names after the name policy) and live in the packet's private work
 * directory, which is removed when the packet is done.
 */
export function createSpool(dir: string) {
  const pending = new Map<string, string[]>();
  let pendingBytes = 0;
  const file = (country: string) => path.join(dir, `spool-${country}.jsonl`);

  async function flush() {
    for (const [country, lines] of pending) await appendFile(file(country), lines.join(''), { mode: 0o600 });
    pending.clear();
    pendingBytes = 0;
  }

  return {
    /** Keeps an entry in memory until the next spill. */
    add(country: string, entry: SpoolEntry): void {
      const line = `${JSON.stringify([entry.countedAt, entry.leaf, entry.name])}\n`;
      const lines = pending.get(country) ?? [];
      if (lines.length === 0) pending.set(country, lines);
      lines.push(line);
      pendingBytes += line.length;
    },
    /** Writes the entries kept so far once they pass a few megabytes: memory stays bounded, writes stay few. */
    async spill(): Promise<void> {
      if (pendingBytes >= FLUSH_BYTES) await flush();
    },
    flush,
    /** A country's entries in packet order: by when they were counted, then by leaf (unique). */
    async read(country: string): Promise<SpoolEntry[]> {
      const text = await readFile(file(country), 'utf8');
      const entries = text
        .split('\n')
        .filter(Boolean)
        .map((line) => {
          const [countedAt, leaf, name] = JSON.parse(line) as [number, string, string];
          return { countedAt, leaf, name };
        });
      return entries.sort((a, b) => a.countedAt - b.countedAt || (a.leaf < b.leaf ? -1 : a.leaf > b.leaf ? 1 : 0));
    },
  };
}
