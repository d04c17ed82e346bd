import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import yazl from 'yazl';

/** Bundles the packet's files into one ZIP, streamed from disk: memory does not grow with their size. */
export async function writeZip(zipPath: string, entries: { name: string; path: string }[], mtime: Date): Promise<void> {
  const zip = new yazl.ZipFile();
  for (const entry of entries) zip.addFile(entry.path, entry.name, { mtime, mode: 0o644 });
  const out = createWriteStream(zipPath, { mode: 0o600 });
  zip.outputStream.pipe(out);
  zip.end();
  await once(out, 'finish');
}
