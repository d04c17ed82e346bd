import { createWriteStream } from 'node:fs';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ExportFormat } from '../server/exports/export-format.js';
import { LANGUAGE_CODES, isLanguage, type Language } from '../server/i18n/languages.js';
import { cliActor, startRuntime, type Runtime } from '../server/runtime.js';
import { AppError } from '../server/shared/errors.js';
import { terminalProgress } from '../server/shared/progress-line.js';

const USAGE = `Usage: npm run export -- --petition SLUG --what counts|signatures --format csv|json --out FILE [--lang ${LANGUAGE_CODES.join('|')}]`;

interface Args {
  petition: string;
  what: 'counts' | 'signatures';
  format: ExportFormat;
  out: string;
  /** The language of the country names. */
  lang: Language;
}

function parse(): Args | null {
  try {
    const { values: v } = parseArgs({ options: { petition: { type: 'string' }, what: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' }, lang: { type: 'string' } } });
    const what = v.what === 'counts' || v.what === 'signatures' ? v.what : null;
    const format = v.format === 'csv' || v.format === 'json' ? v.format : null;
    const lang = v.lang === undefined ? 'en' : isLanguage(v.lang) ? v.lang : null;
    if (!v.petition || !v.out || !what || !format || !lang) return null;
    // npm runs scripts from the package root; a relative --out means relative to where the user typed it.
    return { petition: v.petition, what, format, out: path.resolve(process.env.INIT_CWD ?? process.cwd(), v.out), lang };
  } catch {
    return null; // unknown option or a missing value
  }
}

/** Writes `tmp` and returns the row count; the audit entry is part of each export. */
async function exportTo(runtime: Runtime, args: Args, tmp: string): Promise<number> {
  const { services } = runtime;
  if (args.what === 'signatures') {
    const job = await services.petitionExport.prepare('signatures', args.petition, args.format, args.lang);
    const progress = terminalProgress(process.stderr, 'export', 'signatures');
    const { rows, complete } = await job
      .writeTo(createWriteStream(tmp), cliActor(), (done) => progress.update({ phase: 'reading', done, total: Math.max(done, job.expected) }))
      .finally(() => progress.end());
    if (!complete) throw new Error(`the file ${tmp} was closed before the export finished`);
    return rows;
  }
  // The command line runs with the database's own access: the live counts, as an organiser sees them.
  const file = await services.countExport.build(args.petition, args.format, { live: true }, args.lang);
  await writeFile(tmp, file.body);
  await services.audit.record({ actor: cliActor(), action: 'export', petition: args.petition, details: { what: 'counts', format: args.format }, rows: file.rows });
  return file.rows;
}

const args = parse();
if (!args) {
  console.error(USAGE);
  process.exit(64);
}

const runtime = await startRuntime({ logLevel: 'warn' });
// Written beside the target and renamed at the end: a reader never sees half a file.
const tmp = `${args.out}.tmp`;
try {
  const rows = await exportTo(runtime, args, tmp);
  await rename(tmp, args.out);
  console.log(`Wrote ${rows} rows to ${args.out}`);
} catch (error) {
  await rm(tmp, { force: true });
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
    console.error(`Cannot write ${args.out}: ${(error as Error).message}`);
    process.exitCode = 73; // EX_CANTCREAT
  } else if (error instanceof AppError) {
    console.error(error.status === 404 ? `There is no petition "${args.petition}".` : error.message);
    process.exitCode = 65; // EX_DATAERR
  } else throw error;
} finally {
  await runtime.close();
}
