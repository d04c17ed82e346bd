import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pino } from 'pino';
import { startEmbeddedFerretDb, type EmbeddedDatabase } from '../server/db/embedded-ferretdb.js';
import { npmRun } from './helpers/cli.js';

const HEADER = 'first_name,last_name,email,country,postcode,collected_at,collected_where';
const FIXTURES = path.resolve('test/fixtures/paper');

describe('paper signature import from the command line', () => {
  let dataDir: string;
  const run = (script: string, args: string[], env: Record<string, string> = {}) =>
    npmRun(script, args, {
      env: { ...process.env, DATA_DIR: dataDir, FERRETDB_BIN: path.resolve('.tools/ferretdb/ferretdb'), MONGODB_URI: '', LOG_LEVEL: 'warn', NODE_ENV: 'development', ...env },
      timeout: 60_000,
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
  const importFile = (file: string, env: Record<string, string> = {}) => run('import', ['--petition', 'free-xinjiang-detainees', '--file', file], env);
  const exitCode = (result: object) => ('code' in result && typeof result.code === 'number' ? result.code : 0);

  let db: EmbeddedDatabase;
  // Started once here, the database is reused by each command instead of being started per command.
  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-import-'));
    db = await startEmbeddedFerretDb({ bin: path.resolve('.tools/ferretdb/ferretdb'), dataDir, logger: pino({ level: 'silent' }) });
    await run('seed:demo', []);
  });
  after(async () => {
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('when the same file is imported twice, then the report and summary are printed, the second run adds nothing, and recount finds no drift', async () => {
    const first = await importFile(path.join(FIXTURES, 'mixed.csv'));
    assert.equal(exitCode(first), 0, first.stderr);
    assert.deepEqual(first.stdout.trim().split('\n'), [
      'accepted: lines 2–4, 11–12',
      'duplicate line 5: same email address as line 2',
      "invalid line 6: country 'Narnia' is not a country",
      'invalid line 7: email is not a valid address',
      'invalid line 8: first_name is missing',
      'invalid line 9: has 4 columns where the header has 7',
      'invalid line 10: text is not valid UTF-8: save the file as CSV UTF-8',
      'invalid line 14: collected_at 2099-01-01 is in the future',
      'Imported 5 paper signatures (1 duplicates, 6 invalid rows).',
    ]);
    const second = await importFile(path.join(FIXTURES, 'mixed.csv'));
    assert.match(second.stdout, /\nImported 0 paper signatures \(6 duplicates, 6 invalid rows\)\.\n$/);
    const recount = await run('recount', ['--dry-run']);
    assert.equal(exitCode(recount), 0, recount.stdout);
  });

  test('when the petition is unknown or the file is refused, then it exits 65 with the reason; bad arguments exit 64', async () => {
    const unknown = await run('import', ['--petition', 'no-such-petition', '--file', path.join(FIXTURES, 'mixed.csv')]);
    assert.equal(exitCode(unknown), 65);
    assert.match(unknown.stderr, /no such petition/);
    const utf16 = await importFile(path.join(FIXTURES, 'utf16.csv'));
    assert.equal(exitCode(utf16), 65);
    assert.match(utf16.stderr, /saved as UTF-16/);
    const big = path.join(dataDir, 'big.csv');
    writeFileSync(big, `${HEADER}\n${'Ann,Lee,,GB,,2025-03-14,Leeds\n'.repeat(70_000)}`);
    const tooBig = await importFile(big, { IMPORT_MAX_MB: '1' });
    assert.equal(exitCode(tooBig), 65);
    assert.match(tooBig.stderr, /The file is larger than 1 MB/);
    assert.equal(exitCode(await run('import', ['--petition', 'free-xinjiang-detainees'])), 64);
    assert.equal(exitCode(await importFile(path.join(dataDir, 'missing.csv'))), 64);
  });
});
