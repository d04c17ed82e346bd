import { startRuntime } from '../server/runtime.js';

const runtime = await startRuntime({ logLevel: 'warn' });
try {
  const added = await runtime.services.seedDemo();
  console.log(added ? 'Added the demo petition free-xinjiang-detainees.' : 'The demo petition free-xinjiang-detainees is already there.');
} finally {
  await runtime.close();
}
