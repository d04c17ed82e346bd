/**
 * npm run rotate-key [-- --batch-size N] [--pause-ms N]
 * Re-seals every sealed value and file under DATA_KEY while the app keeps serving; resumes after an
 * interruption. Run it with the same settings as the app: DATA_KEY (the new key), DATA_KEYS_OLD (the
 * old ones) and HASH_KEY (README, "Rotating DATA_KEY").
 */
import { parseArgs } from 'node:util';
import { createKeyRotationRepository } from '../server/config/key-rotation-repository.js';
import { rotateDataKey } from '../server/config/key-rotation.js';
import { startRuntime } from '../server/runtime.js';

const USAGE = 'Usage: npm run rotate-key [-- --batch-size N] [--pause-ms N]';

function parse(): { batchSize: number; pauseMs: number } | null {
  try {
    const { values } = parseArgs({ options: { 'batch-size': { type: 'string', default: '500' }, 'pause-ms': { type: 'string', default: '0' } } });
    const batchSize = Number(values['batch-size']);
    const pauseMs = Number(values['pause-ms']);
    if (!Number.isInteger(batchSize) || batchSize < 1 || !Number.isInteger(pauseMs) || pauseMs < 0) return null;
    return { batchSize, pauseMs };
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
  const { protector, files } = runtime.services;
  console.log(`Re-sealing under key ${protector.keyId}.`);
  const result = await rotateDataKey({ repo: createKeyRotationRepository(runtime.database.connection), protector, files, ...options, progress: (line) => console.log(line) });
  const left = Object.entries(result.remaining).filter(([, n]) => n > 0);
  for (const [name, n] of left) console.log(`still under an old key: ${name} ${n}`);
  console.log(
    left.length === 0
      ? `Done: ${result.resealed} re-sealed; nothing is left under an old key, so DATA_KEYS_OLD can be removed.`
      : 'Not done: values above are still under an old key (written by an app without the new DATA_KEY?); run again.',
  );
  console.log(`rotated=${left.length === 0 ? 1 : 0} resealed=${result.resealed} remaining=${left.reduce((sum, [, n]) => sum + n, 0)} key=${result.keyId}`);
  process.exitCode = left.length === 0 ? 0 : 1;
} finally {
  await runtime.close();
}
