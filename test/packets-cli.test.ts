import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
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
import { counter } from '../server/tallies/tally-service.js';
import { aPetition } from './helpers/builders.js';
import { npmRun, scriptCommand } from './helpers/cli.js';
import { givenSignatures, petitionIdOf } from './helpers/export-signatures.js';
import { readZip } from './helpers/zip.js';

const run = promisify(execFile);
const FERRETDB_BIN = path.resolve('.tools/ferretdb/ferretdb');

describe('npm run packet, on the embedded database of DATA_DIR', () => {
  let dataDir: string;
  let db: EmbeddedDatabase;
  let connection: mongoose.Connection;
  let services: Services;
  let petitionId: string;
  const petition = aPetition();

  const cliEnv = () => ({ ...process.env, DATA_DIR: dataDir, FERRETDB_BIN, MONGODB_URI: '', LOG_LEVEL: 'warn', NODE_ENV: 'development' });
  const packetCli = (args: string[]) => npmRun('packet', ['--petition', petition.slug, ...args], { env: cliEnv(), timeout: 120_000 });
  const failed = (args: string[]) => packetCli(args).then(() => assert.fail('expected a failure'), (e: { code: number; stderr: string }) => e);

  // The app's own services on the database a running server would have started: the CLI must reuse it.
  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-packet-cli-'));
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, FERRETDB_BIN, LOG_LEVEL: 'silent' });
    db = await startEmbeddedFerretDb({ bin: FERRETDB_BIN, dataDir, logger: pino({ level: 'silent' }) });
    connection = await mongoose.createConnection(db.uri, { dbName: 'handover' }).asPromise();
    services = await createServices({ config, connection, logger: pino({ level: 'silent' }), dataKey: resolveDataKey(config) });
    await services.petitionService.create(petition);
    petitionId = await petitionIdOf(connection, petition.slug);
    for (const city of ['Paris', 'Dakar']) {
      await services.targets.create(petitionId, { name: `Embassy in ${city}`, recipientName: 'The Ambassador', recipientTitle: 'Ambassador', city, country: city === 'Paris' ? 'FR' : 'SN', address: '1 Avenue', language: 'fr', plannedAt: '', notes: '' }, 'test');
    }
    await givenSignatures(connection, services.protector, petitionId, [
      { firstName: 'Amadou', lastName: 'Diallo', country: 'SN' },
      { firstName: 'Hélène', lastName: 'Dubois', country: 'FR' },
      { firstName: 'Caché', lastName: 'Secret', country: 'FR', hideName: true },
    ]);
    await services.tallies.change(petitionId, { [counter.confirmed('SN')]: 1, [counter.confirmed('FR')]: 2 });
  });
  after(async () => {
    await services.close();
    await connection.close();
    await db.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('when run with a city as target, then the last line is the ZIP path and the ZIP holds the packet for that scope', async () => {
    const out = path.join(dataDir, 'out');
    const { stdout } = await packetCli(['--target', 'paris', '--out', out, '--countries', 'FR', '--names', 'first-initial']);
    const zipPath = stdout.trim().split('\n').at(-1)!;
    assert.ok(zipPath.startsWith(out) && existsSync(zipPath), stdout);
    const files = await readZip(zipPath);
    const csv = files.get('signatures.csv')!.toString();
    assert.match(csv, /Hélène D\./);
    assert.doesNotMatch(csv, /Amadou|Secret|Caché/);
    const summary = JSON.parse(files.get('summary.json')!.toString()) as { totals: { signatures: number }; target: { city: string } };
    assert.equal(summary.totals.signatures, 2);
    assert.equal(summary.target.city, 'Paris');
    const [listed] = await services.packets.list(petitionId);
    assert.equal(listed?.status, 'ready', 'the CLI records the packet like the admin page does');
    const audit = await services.audit.latest(5, { action: 'packet.generate' });
    assert.equal(audit[0]?.rows, 2);
  });

  test('when run on a terminal, then stderr shows one progress line rewritten in place; when not, then no progress at all', async () => {
    const args = ['--target', 'Dakar', '--out', path.join(dataDir, 'tty')];
    const piped = await packetCli(args);
    assert.doesNotMatch(piped.stderr, /\r|signatures \(/, 'no progress when stderr is not a terminal');
    // `script` runs the command on a pseudo-terminal, as a person typing it would.
    const [bin, argv] = scriptCommand('packet', ['--petition', petition.slug, ...args]);
    const command = [bin, ...argv].map((a) => `'${a}'`).join(' ');
    const { stdout: onTerminal } = await run('script', ['-qec', command, '/dev/null'], { env: cliEnv(), timeout: 120_000 });
    assert.match(onTerminal, /\rpacket: 0 \/ 3 signatures \(0%\)/);
    assert.match(onTerminal.trim().split(/\r?\n/).at(-1) ?? '', /\.zip$/, 'the ZIP path is still the last line');
  });

  test('when an option is missing or malformed, then it exits 64 with the usage and writes nothing', async () => {
    for (const args of [['--out', dataDir], ['--target', 'Paris'], ['--target', 'Paris', '--out', dataDir, '--cutoff', '2026-01-01T00:00:00']]) {
      const error = await failed(args);
      assert.equal(error.code, 64, String(args));
      assert.match(error.stderr, /Usage|time zone/);
    }
  });

  test('when the target, the names policy or a country is wrong, then it exits 65 naming the problem', async () => {
    const out = path.join(dataDir, 'never');
    const unknown = await failed(['--target', 'Atlantis', '--out', out]);
    assert.equal(unknown.code, 65);
    assert.match(unknown.stderr, /Atlantis|target/i);
    const names = await failed(['--target', 'Paris', '--out', out, '--names', 'everyone']);
    assert.equal(names.code, 65);
    assert.match(names.stderr, /--names/);
    const country = await failed(['--target', 'Paris', '--out', out, '--countries', 'FR,QQ']);
    assert.match(country.stderr, /--countries/);
    assert.equal(existsSync(out), false);
  });
});
