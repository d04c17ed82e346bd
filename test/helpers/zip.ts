import yauzl from 'yauzl';

/** Every entry of a ZIP (a file path or its bytes), read with yauzl: the tests read what users download. */
export async function readZip(source: string | Buffer): Promise<Map<string, Buffer>> {
  const zip = await (typeof source === 'string' ? yauzl.openPromise(source, { lazyEntries: true }) : yauzl.fromBufferPromise(source, { lazyEntries: true }));
  const files = new Map<string, Buffer>();
  try {
    for await (const entry of zip.eachEntry()) {
      const stream = await zip.openReadStreamPromise(entry);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      files.set(entry.fileName, Buffer.concat(chunks));
    }
  } finally {
    zip.close();
  }
  return files;
}
