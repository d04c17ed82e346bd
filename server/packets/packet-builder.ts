import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { countryName } from '../countries/countries.js';
import { recipientOf, type DeliveryTarget } from '../deliveries/target-types.js';
import type { I18n } from '../i18n/i18n.js';
import { intlLocale } from '../i18n/languages.js';
import { textIn } from '../petitions/petition-text.js';
import type { Petition } from '../petitions/petition-types.js';
import { chunkRoots, CHUNK, rootOf } from './merkle.js';
import { createPacketCsv } from './packet-csv.js';
import { displayName, leafOf } from './packet-record.js';
import type { PacketSource } from './packet-source.js';
import { createSpool } from './packet-spool.js';
import type { PacketFile, PacketScope } from './packet-types.js';
import type { Progress } from '../shared/progress.js';
import { createFontFaces } from './pdf/font-faces.js';
import { createPacketPdf } from './pdf/packet-pdf.js';
import { writePoster } from './pdf/poster.js';
import type { PdfFonts } from './pdf/fonts.js';
import { writeZip } from './packet-zip.js';

export interface BuildInput {
  packetId: string;
  petition: Petition;
  target: DeliveryTarget;
  scope: PacketScope;
  organisation: string;
  generatedAt: Date;
  /** A private, empty directory the build may fill; the caller removes it. */
  workDir: string;
  /** Stores the sorted leaves, as soon as the tree is known, so they need not stay in memory. */
  saveLeaves: (sortedLeaves: Buffer) => Promise<void>;
  /** The signatures expected before reading (from the tally): the first phase's total. */
  expected: number;
  /** Called often (every batch of signatures read, every few thousand written); the caller decides how often to show it. */
  onProgress?: (progress: Progress) => void;
}

export interface BuildResult {
  total: number;
  counts: Record<string, number>;
  root: string;
  chunkFirsts: string[];
  chunkRoots: string[];
  files: PacketFile[];
  pdfPages: number;
  zipPath: string;
  /** Seconds spent reading the signatures, writing the PDF and CSV, and hashing and zipping. */
  timings: { read: number; write: number; finish: number };
}

interface Deps {
  source: PacketSource;
  saltFor: (signatureId: string) => Buffer;
  fonts: () => PdfFonts;
  i18n: I18n;
}

const BATCH = 2000;

/**
 * Builds a packet in two passes. The first reads the counted signatures once, from one cursor,
 * into per-country spool files, counting and hashing as it goes; only then are the totals known
 * that the cover letter opens with. The second writes the PDF and the CSV country by country.
 * Memory holds one country's entries and 32 bytes of leaf per signature, never the petition.
 */
export async function buildPacket({ source, saltFor, fonts, i18n }: Deps, input: BuildInput): Promise<BuildResult> {
  const { scope, target, petition, workDir } = input;
  const report = input.onProgress ?? (() => undefined);
  const clock = phaseClock();
  const lang = target.language;
  const spool = createSpool(workDir);
  const counts: Record<string, number> = {};
  const unnamed: Record<string, number> = {};
  const leafBlocks: Buffer[] = [];
  let block = Buffer.allocUnsafe(CHUNK * 32);
  let inBlock = 0;
  let total = 0;

  report({ phase: 'reading', done: 0, total: input.expected });
  for await (const signers of source.counted(petition.id, scope.cutoff, scope.countries, { names: scope.names !== 'none' })) {
    for (const signer of signers) {
      const record = { country: signer.country, name: displayName(signer.name, signer.hideName, scope.names) };
      const leaf = leafOf(record, saltFor(signer.id));
      leaf.copy(block, inBlock * 32);
      if (++inBlock === CHUNK) {
        leafBlocks.push(block);
        block = Buffer.allocUnsafe(CHUNK * 32);
        inBlock = 0;
      }
      counts[signer.country] = (counts[signer.country] ?? 0) + 1;
      if (!record.name) unnamed[signer.country] = (unnamed[signer.country] ?? 0) + 1;
      spool.add(signer.country, { countedAt: signer.countedAt.getTime(), leaf: leaf.toString('hex'), name: record.name });
    }
    total += signers.length;
    // The tally counts now, the packet at its cutoff: the estimate is an upper bound unless the tally lags.
    report({ phase: 'reading', done: total, total: Math.max(total, input.expected) });
    await spool.spill();
  }
  await spool.flush();
  leafBlocks.push(block.subarray(0, inBlock * 32));
  // The tree is done before the PDF starts, so that its working memory is free again by then.
  const { root, roots, chunkFirsts } = await storeTree(leafBlocks.splice(0), input.saveLeaves);
  const read = clock();

  const collator = new Intl.Collator(intlLocale(lang));
  const countries = Object.keys(counts)
    .map((code) => ({ code, name: countryName(code, lang), count: counts[code]! }))
    .sort((a, b) => collator.compare(a.name, b.name) || (a.code < b.code ? -1 : 1));

  const file = (name: string) => path.join(workDir, name);
  const date = scope.cutoff;
  // The poster first: its own document is garbage before the big one starts. Both draw with the same faces.
  const pdfDeps = { fonts: fonts(), i18n, faces: createFontFaces() };
  const text = textIn(petition, lang);
  const poster = { language: lang, title: text.title, titleLanguage: text.language, total, countryCount: countries.length, organisation: input.organisation, date, targetName: target.name };
  await writePoster(pdfDeps, poster, createWriteStream(file('poster.pdf')));
  const pdf = createPacketPdf(pdfDeps, { packetId: input.packetId, language: lang, organisation: input.organisation, date, petition: text, target, total, countries }, createWriteStream(file('packet.pdf')));
  const csv = createPacketCsv(createWriteStream(file('signatures.csv')));
  let written = 0;
  report({ phase: 'writing', done: 0, total });
  for (const country of countries) {
    const entries = await spool.read(country.code);
    pdf.startCountry({ ...country, unnamed: unnamed[country.code] ?? 0 });
    for (let i = 0; i < entries.length; i += BATCH) {
      const names = entries.slice(i, i + BATCH).map((e) => e.name);
      await csv.rows(country.code, country.name, names);
      await pdf.addSigners(names.filter(Boolean));
      written += names.length;
      report({ phase: 'writing', done: written, total });
    }
  }
  await csv.end();
  const { pages } = await pdf.end();

  const write = clock();
  report({ phase: 'finishing', done: total, total });
  const summary = {
    petition: { slug: petition.slug, title: petition.title },
    target: { name: target.name, recipient: recipientOf(target), city: target.city, country: target.country, language: lang },
    cutoff: scope.cutoff.toISOString(),
    scope: { countries: scope.countries ?? 'all', names: scope.names },
    totals: { signatures: total, countries: countries.length },
    countries,
  };
  await writeFile(file('summary.json'), `${JSON.stringify(summary, null, 2)}\n`);

  const files: PacketFile[] = [];
  for (const name of ['packet.pdf', 'signatures.csv', 'summary.json', 'poster.pdf']) files.push({ name, ...(await digest(file(name))) });
  const manifest = {
    packetId: input.packetId,
    generatedAt: input.generatedAt.toISOString(),
    petition: petition.slug,
    target: { id: target.id, name: target.name, city: target.city },
    cutoff: scope.cutoff.toISOString(),
    scope: { countries: scope.countries ?? 'all' },
    namePolicy: scope.names,
    files,
    merkle: {
      algorithm: 'RFC 6962 Merkle tree, SHA-256',
      leaf: 'SHA-256(0x00 || salt || record), record = UTF-8 JSON {"country":CC,"name":NAME}, salt = 32-byte per-signature secret',
      order: 'leaves sorted by their hash',
      treeSize: total,
      root,
    },
  };
  await writeFile(file('manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const zipPath = file(`${input.packetId}.zip`);
  await writeZip(zipPath, [...files.map((f) => f.name), 'manifest.json'].map((name) => ({ name, path: file(name) })), input.generatedAt);

  return {
    total,
    counts,
    root,
    chunkFirsts,
    chunkRoots: roots.map((r) => r.toString('hex')),
    files,
    pdfPages: pages,
    zipPath,
    timings: { read, write, finish: clock() },
  };
}

/** Seconds since the last call (or since creation). */
function phaseClock() {
  let last = performance.now();
  return () => {
    const now = performance.now();
    const seconds = Math.round((now - last) / 100) / 10;
    last = now;
    return seconds;
  };
}

async function digest(file: string): Promise<{ sha256: string; bytes: number }> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), bytes: (await stat(file)).size };
}

/**
 * Sorts the leaves, stores them and answers what the packet keeps of its tree: the leaves themselves (10 MB at
 * 323,832 signatures) are garbage once this returns.
 */
async function storeTree(leafBlocks: Buffer[], saveLeaves: (sortedLeaves: Buffer) => Promise<void>) {
  const sortedLeaves = sortLeaves(Buffer.concat(leafBlocks));
  leafBlocks.length = 0;
  const roots = chunkRoots(sortedLeaves);
  const chunkFirsts = Array.from({ length: roots.length }, (_, i) => sortedLeaves.subarray(i * CHUNK * 32, i * CHUNK * 32 + 32).toString('hex'));
  await saveLeaves(sortedLeaves);
  return { root: rootOf(roots).toString('hex'), roots, chunkFirsts };
}

/**
 * Leaves in ascending byte order, so that a signer's leaf is found by binary search. Sorts indexes
 * and compares in place: a Buffer view per leaf would be 30 MB of garbage at 323,832 signatures.
 */
function sortLeaves(packed: Buffer): Buffer {
  const order = Uint32Array.from({ length: packed.length / 32 }, (_, i) => i);
  order.sort((a, b) => packed.compare(packed, b * 32, b * 32 + 32, a * 32, a * 32 + 32));
  const sorted = Buffer.allocUnsafe(packed.length);
  order.forEach((from, to) => packed.copy(sorted, to * 32, from * 32, from * 32 + 32));
  return sorted;
}

