import { startRuntime } from '../server/runtime.js';

// Usage: npm run recount [-- --dry-run]
const dryRun = process.argv.includes('--dry-run');
const runtime = await startRuntime({ logLevel: 'warn' });
try {
  const { petitions, drift } = await runtime.services.recount({ fix: !dryRun });
  for (const d of drift) {
    console.log(`drift ${d.petition} ${d.counter}: maintained ${d.maintained}, counted ${d.counted} (${d.counted - d.maintained >= 0 ? '+' : ''}${d.counted - d.maintained})`);
  }
  const verb = dryRun ? 'found' : 'fixed';
  console.log(`Recounted ${petitions} petition(s): ${drift.length === 0 ? 'no drift' : `${drift.length} ${verb}`}.`);
  process.exitCode = drift.length > 0 && dryRun ? 1 : 0;
} finally {
  await runtime.close();
}
