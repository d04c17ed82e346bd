import { parseArgs } from 'node:util';
import { cliActor, startRuntime } from '../server/runtime.js';
import { AppError } from '../server/shared/errors.js';

// Usage: npm run admin:create -- --email E --role admin|organiser|analyst [--password P]
const USAGE = 'Usage: npm run admin:create -- --email E --role admin|organiser|analyst [--password P]';
let values: { email?: string; role: string; password?: string };
try {
  ({ values } = parseArgs({ options: { email: { type: 'string' }, role: { type: 'string', default: 'admin' }, password: { type: 'string' } } }));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(64);
}
if (!values.email) {
  console.error(USAGE);
  process.exit(64);
}
const runtime = await startRuntime({ logLevel: 'warn' });
try {
  const { user, oneTimePassword } = await runtime.services.accounts.create({ email: values.email, role: values.role, password: values.password });
  await runtime.services.audit.record({ actor: cliActor(), action: 'user.create', petition: null, details: { user: user.email, role: user.role }, rows: null });
  console.log(`Created ${user.role} ${user.email}.`);
  if (oneTimePassword) console.log(`One-time password (must be changed at first sign-in): ${oneTimePassword}`);
} catch (error) {
  if (!(error instanceof AppError)) throw error;
  const detail = error.fields ? ` (${Object.entries(error.fields).map(([f, c]) => `${f}: ${c}`).join(', ')})` : '';
  console.error(`${error.message}${detail}`);
  process.exitCode = 65;
} finally {
  await runtime.close();
}
