/**
 * npm run purge [-- --dry-run]
 * Deletes the personal data that petitions' retention rules no longer allow, and unconfirmed signatures whose
 * link expired more than PURGE_GRACE_DAYS ago (README, "Retention"). The app does the same once a day; with
 * --dry-run it only says what would go.
 */
import { parseArgs } from 'node:util';
import { cliActor, startRuntime } from '../server/runtime.js';

const USAGE = 'Usage: npm run purge [-- --dry-run]';

function parse(): { dryRun: boolean } | null {
  try {
    const { values } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } });
    return { dryRun: values['dry-run'] };
  } catch {
    return null;
  }
}

const options = parse();
if (!options) {
  console.error(USAGE);
  process.exit(64);
}
const runtime = await startRuntime({ logLevel: 'warn' });
try {
  const report = await runtime.services.purge.run({ actor: cliActor(), dryRun: options.dryRun });
  const verb = report.dryRun ? 'would delete' : 'deleted';
  for (const p of report.petitions) console.log(`${p.slug}: ${verb} the personal data of ${p.signatures} signatures and ${p.unconfirmed} unconfirmed signatures`);
  if (report.petitions.length === 0) console.log('Nothing to purge.');
  const total = (key: 'signatures' | 'unconfirmed') => report.petitions.reduce((sum, p) => sum + p[key], 0);
  console.log(`dryRun=${report.dryRun ? 1 : 0} petitions=${report.petitions.length} signatures=${total('signatures')} unconfirmed=${total('unconfirmed')}`);
} finally {
  await runtime.close();
}
