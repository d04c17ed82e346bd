import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { createServices, type Services } from '../server/compose.js';
import { loadConfig } from '../server/config/config.js';
import { resolveDataKey } from '../server/config/data-key.js';
import { startEmbeddedFerretDb, type EmbeddedDatabase } from '../server/db/embedded-ferretdb.js';
import { cliActor } from '../server/runtime.js';
import { counter } from '../server/tallies/tally-service.js';
import { aPetition } from './helpers/builders.js';
import { npmRun, scriptCommand } from './helpers/cli.js';
import { givenSignatures, petitionIdOf } from './helpers/export-signatures.js';

const run = promisify(execFile);
const FERRETDB_BIN = path.resolve('.tools/ferretdb/ferretdb');

describe('npm run export, on the embedded database of DATA_DIR', () => {
  let dataDir: string;
  let db: EmbeddedDatabase;
  let connection: mongoose.Connection;
  let services: Services;
  const petition = aPetition();

  const cliEnv = () => ({ ...process.env, DATA_DIR: dataDir, FERRETDB_BIN, MONGODB_URI: '', LOG_LEVEL: 'warn', NODE_ENV: 'development' });
  const exportCli = (args: string[]) => npmRun('export', args, { env: cliEnv(), timeout: 60_000 });
  const failed = (args: string[]) => exportCli(args).then(() => assert.fail('expected a failure'), (e: { code: number; stderr: string }) => e);
  const out = (name: string) => path.join(dataDir, name);

  // The app's own services on the database a running server would have started: the CLI must reuse it.
  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-export-cli-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, FERRETDB_BIN, LOG_LEVEL: 'silent' });
    db = await startEmbeddedFerretDb({ bin: FERRETDB_BIN, dataDir, logger: pino({ level: 'silent' }) });
    connection = await mongoose.createConnection(db.uri, { dbName: 'handover' }).asPromise();
    services = await createServices({ config, connection, logger: pino({ level: 'silent' }), dataKey: resolveDataKey(config) });
    await services.petitionService.create(petition);
    const id = await petitionIdOf(connection, petition.slug);
    await givenSignatures(connection, services.protector, id, [
      { firstName: '=cmd', lastName: 'One', country: 'GB' },
      { firstName: 'Hidden', lastName: 'Two', country: 'FR', hideName: true },
      { firstName: 'Paper', lastName: 'Three', country: 'FR', source: 'paper', collectedWhere: 'Lyon' },
      { firstName: 'Pending', status: 'pending' },
    ]);
    await services.tallies.change(id, { [counter.confirmed('GB')]: 1, [counter.confirmed('FR')]: 1, [counter.paper('FR')]: 1, [counter.pending]: 1 });
  });
  after(async () => {
    await services.close();
    await connection.close();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('when signatures are exported as CSV, then the file has the counted rows, neutralised, and the command says how many', async () => {
    const file = out('signatures.csv');
    const { stdout } = await exportCli(['--petition', petition.slug, '--what', 'signatures', '--format', 'csv', '--out', file]);

    assert.match(stdout, new RegExp(`Wrote 3 rows to ${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const body = readFileSync(file, 'utf8');
    assert.ok(body.startsWith('\uFEFFcountry_code,country_name,first_name,last_name,source,signed_at,collected_where\r\n'));
    assert.match(body, /\r\nGB,United Kingdom,'=cmd,One,online,/);
    assert.match(body, /\r\nFR,France,,,online,/);
    assert.match(body, /\r\nFR,France,Paper,Three,paper,[^,]+,Lyon\r\n/);
    assert.ok(!/Pending|Hidden|@example\.org/.test(body));
    assert.ok(!existsSync(`${file}.tmp`), 'the temporary file is renamed');
  });

  test('when run on a terminal, then stderr shows one progress line rewritten in place; when not, then no progress at all', async () => {
    const args = ['--petition', petition.slug, '--what', 'signatures', '--format', 'csv', '--out', out('tty.csv')];
    const piped = await exportCli(args);
    assert.doesNotMatch(piped.stderr, /\r|signatures \(/, 'no progress when stderr is not a terminal');
    // `script` runs the command on a pseudo-terminal, as a person typing it would.
    const [bin, argv] = scriptCommand('export', args);
    const command = [bin, ...argv].map((a) => `'${a}'`).join(' ');
    const { stdout: onTerminal } = await run('script', ['-qec', command, '/dev/null'], { env: cliEnv(), timeout: 60_000 });
    assert.match(onTerminal, /\rexport: 1 \/ 3 signatures \(33%\)/);
    assert.match(onTerminal, /Wrote 3 rows to /);
  });

  test('when signatures are exported as JSON, then the file is an array of objects with the same fields', async () => {
    const file = out('signatures.json');
    await exportCli(['--petition', petition.slug, '--what', 'signatures', '--format', 'json', '--out', file]);

    const rows = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>[];
    assert.equal(rows.length, 3);
    assert.deepEqual(Object.keys(rows[0]!), ['country_code', 'country_name', 'first_name', 'last_name', 'source', 'signed_at', 'collected_where']);
    assert.deepEqual(rows.map((r) => `${r.country_code} ${r.first_name} ${r.source}`).sort(), ['FR  online', 'FR Paper paper', 'GB =cmd online']);
  });

  test('when counts are exported as CSV and JSON, then both files hold the counts by country', async () => {
    const csv = await exportCli(['--petition', petition.slug, '--what', 'counts', '--format', 'csv', '--out', out('counts.csv')]);
    const json = await exportCli(['--petition', petition.slug, '--what', 'counts', '--format', 'json', '--out', out('counts.json')]);

    assert.match(csv.stdout, /Wrote 2 rows to /);
    assert.match(json.stdout, /Wrote 2 rows to /);
    assert.match(readFileSync(out('counts.csv'), 'utf8'), /FR,France,1,1,2\r\n/);
    const counts = JSON.parse(readFileSync(out('counts.json'), 'utf8')) as { countries: { code: string; total: number }[] };
    assert.deepEqual(counts.countries.map((c) => [c.code, c.total]), [['FR', 2], ['GB', 1]]);
  });

  test('when the command line exports, then each export is in the audit log under the cli actor', async () => {
    await exportCli(['--petition', petition.slug, '--what', 'signatures', '--format', 'csv', '--out', out('audited.csv')]);

    const [latest] = await services.audit.latest(1, { action: 'export' });
    assert.equal(latest?.actor, cliActor());
    assert.equal(latest?.petition, petition.slug);
    assert.equal(latest?.rows, 3);
    assert.deepEqual(latest?.details, { what: 'signatures', format: 'csv', filters: { status: 'confirmed' } });
  });

  test('when --lang names a language, then the country names are in it', async () => {
    const file = out('counts-fr.csv');
    await exportCli(['--petition', petition.slug, '--what', 'counts', '--format', 'csv', '--out', file, '--lang', 'fr']);
    assert.match(readFileSync(file, 'utf8'), /\r\nGB,Royaume-Uni,/);
  });

  for (const args of [[], ['--petition', 'x', '--what', 'everything', '--format', 'csv', '--out', 'f'], ['--petition', 'x', '--what', 'counts', '--format', 'csv', '--out', 'f', '--lang', 'klingon'], ['--petition', 'x', '--what', 'counts', '--format', 'xml', '--out', 'f'], ['--petition', 'x', '--what', 'counts', '--format', 'csv'], ['--bogus']]) {
    test(`when the arguments are ${JSON.stringify(args)}, then it prints the usage and exits 64`, async () => {
      const error = await failed(args);
      assert.equal(error.code, 64);
      assert.match(error.stderr, /Usage: npm run export -- --petition SLUG --what counts\|signatures --format csv\|json --out FILE/);
    });
  }

  test('when the petition does not exist, then it says so, exits 65 and leaves no file', async () => {
    const file = out('missing.csv');
    const error = await failed(['--petition', 'no-such-petition', '--what', 'signatures', '--format', 'csv', '--out', file]);

    assert.equal(error.code, 65);
    assert.match(error.stderr, /There is no petition "no-such-petition"/);
    assert.ok(!existsSync(file) && !existsSync(`${file}.tmp`));
  });
});
