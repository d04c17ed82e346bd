import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ImportRefused, tooLarge } from '../server/paper/paper-format.js';
import { reportLines } from '../server/paper/paper-report.js';
import { cliActor, startRuntime } from '../server/runtime.js';
import { AppError } from '../server/shared/errors.js';

// Usage: npm run import -- --petition SLUG --file F.csv
// Exit codes (sysexits): 0 ran, 64 bad arguments or unreadable file, 65 unknown petition or refused file.
const USAGE = 'Usage: npm run import -- --petition SLUG --file F.csv';

function usage(message?: string): never {
  if (message) console.error(message);
  console.error(USAGE);
  process.exit(64);
}

let values: { petition?: string; file?: string };
try {
  ({ values } = parseArgs({ options: { petition: { type: 'string' }, file: { type: 'string' } }, strict: true }));
} catch (error) {
  usage((error as Error).message);
}
if (!values.petition || !values.file) usage();
const size = await stat(values.file).then(
  (s) => (s.isFile() ? s.size : null),
  () => null,
);
if (size === null) usage(`Cannot read the file ${values.file}.`);

const runtime = await startRuntime({ logLevel: 'warn' });
const t = (key: string, vars?: Record<string, unknown>) => runtime.services.i18n.t('en', key, vars);
try {
  const { paperImport } = runtime.services;
  // The size is checked before the file is read, as the upload checks it before buffering.
  if (size > paperImport.maxMb * 1024 * 1024) throw tooLarge(paperImport.maxMb);
  const data = await readFile(values.file);
  const report = await paperImport.importFile({ slug: values.petition, data, actor: cliActor() });
  for (const line of reportLines(t, report)) console.log(line);
  process.exitCode = 0;
} catch (error) {
  if (!(error instanceof AppError)) throw error;
  console.error(error instanceof ImportRefused ? t(`paper.errors.${error.key}`, error.vars) : error.message);
  process.exitCode = 65;
} finally {
  await runtime.close();
}
