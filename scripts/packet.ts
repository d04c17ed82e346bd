/**
 * npm run packet -- --petition SLUG --target TARGET --out DIR [--cutoff ISO-TIME] [--countries GB,FR]
 *                   [--names full|first-initial|initials|none]
 * Builds a delivery packet (recorded like one made on the admin page) and copies its ZIP into DIR.
 * The ZIP's path is the last line printed.
 */
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { cliActor, startRuntime } from '../server/runtime.js';
import { AppError } from '../server/shared/errors.js';
import { terminalProgress } from '../server/shared/progress-line.js';

const USAGE =
  'Usage: npm run packet -- --petition SLUG --target TARGET --out DIR [--cutoff ISO-TIME] [--countries GB,FR] [--names full|first-initial|initials|none]\n' +
  '  TARGET is a delivery target id or its city (e.g. --target London).';

function parse() {
  try {
    const { values: v } = parseArgs({
      options: { petition: { type: 'string' }, target: { type: 'string' }, out: { type: 'string' }, cutoff: { type: 'string' }, countries: { type: 'string' }, names: { type: 'string', default: 'full' } },
    });
    if (!v.petition || !v.target || !v.out) return null;
    // An ISO time without a zone would silently mean the machine's zone; a cutoff must be exact.
    if (v.cutoff && !/(Z|[+-]\d\d:\d\d)$/.test(v.cutoff)) return { error: `--cutoff needs a time zone, e.g. 2026-11-01T12:00:00Z (got "${v.cutoff}")` };
    const cutoff = v.cutoff ? new Date(v.cutoff) : null;
    if (cutoff && Number.isNaN(cutoff.getTime())) return { error: `--cutoff is not an ISO time: "${v.cutoff}"` };
    return {
      request: { slug: v.petition, target: v.target, cutoff, countries: v.countries ? v.countries.split(',').filter(Boolean) : null, names: v.names },
      // npm runs scripts from the package root; a relative --out means relative to where the user typed it.
      out: path.resolve(process.env.INIT_CWD ?? process.cwd(), v.out),
    };
  } catch {
    return null; // unknown option or a missing value
  }
}

const args = parse();
if (!args || 'error' in args) {
  console.error(args?.error ?? USAGE);
  process.exit(64);
}

const runtime = await startRuntime({ logLevel: 'warn' });
const progress = terminalProgress(process.stderr, 'packet', 'signatures');
try {
  const started = Date.now();
  let zipPath = '';
  const packet = await runtime.services.packets.generate(args.request, cliActor(), async (built) => {
    await mkdir(args.out, { recursive: true });
    zipPath = path.join(args.out, `${args.request.slug}-${path.basename(built, '.zip')}.zip`);
    await copyFile(built, zipPath);
  }, (step) => progress.update(step, step.phase === 'reading' ? 'packet' : `packet, ${step.phase}`));
  progress.end();
  const { read, write, finish } = packet.timings;
  console.log(`Packet ${packet.id}: ${packet.total} signatures from ${packet.countryCount} countries, ${packet.pdfPages} PDF pages, in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  console.log(`(reading the signatures ${read} s, writing the PDF and CSV ${write} s, hashing, zipping and storing ${finish} s)`);
  console.log(`Merkle root ${packet.root}`);
  console.log(zipPath);
} catch (error) {
  progress.end();
  if (!(error instanceof AppError)) throw error;
  const fields = Object.entries(error.fields ?? {}).map(([field, code]) => `  --${field}: ${runtime.services.i18n.t('en', `errors.field.${code}`)}`);
  console.error([error.message, ...fields].join('\n'));
  process.exitCode = 65; // EX_DATAERR
} finally {
  await runtime.close();
}
