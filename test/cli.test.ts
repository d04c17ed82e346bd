import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { startEmbeddedFerretDb, type EmbeddedDatabase } from '../server/db/embedded-ferretdb.js';
import { npmRun } from './helpers/cli.js';

const FERRETDB_BIN = path.resolve('.tools/ferretdb/ferretdb');

function runScript(script: string, dataDir: string, args: string[] = []) {
  return npmRun(script, args, {
    env: { ...process.env, DATA_DIR: dataDir, FERRETDB_BIN, MONGODB_URI: '', LOG_LEVEL: 'warn', NODE_ENV: 'development' },
    timeout: 60_000,
  });
}

describe('command-line scripts on the embedded database', () => {
  let dataDir: string;
  before(() => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-cli-'));
  });
  after(() => rmSync(dataDir, { recursive: true, force: true }));

  test('when seed:demo runs twice with no server running, then it starts the database itself and adds the demo petition once', async () => {
    const first = await runScript('seed:demo', dataDir);
    assert.match(first.stdout, /Added the demo petition free-xinjiang-detainees/);
    const second = await runScript('seed:demo', dataDir);
    assert.match(second.stdout, /already there/);

    const db = await startEmbeddedFerretDb({ bin: FERRETDB_BIN, dataDir, logger: pino({ level: 'silent' }) });
    const connection = await mongoose.createConnection(db.uri, { dbName: 'handover' }).asPromise();
    try {
      assert.equal(await connection.collection('petitions').countDocuments({ slug: 'free-xinjiang-detainees' }), 1);
    } finally {
      await connection.close();
      await db.stop();
    }
  });

  describe('when the database is already running for this DATA_DIR', () => {
    let db: EmbeddedDatabase;
    let connection: mongoose.Connection;
    before(async () => {
      db = await startEmbeddedFerretDb({ bin: FERRETDB_BIN, dataDir, logger: pino({ level: 'silent' }) });
      connection = await mongoose.createConnection(db.uri, { dbName: 'handover' }).asPromise();
    });
    after(async () => {
      await connection.close();
      await db.stop();
    });

    test('when the maintained tallies drift from the signatures, then recount prints the drift, fixes it, and a second recount finds none', async () => {
      await runScript('seed:demo', dataDir);
      const petition = await connection.collection('petitions').findOne({ slug: 'free-xinjiang-detainees' });
      const petitionId = petition!._id;
      await connection.collection('signatures').insertMany(
        ['GB', 'GB', 'FR'].map((country, i) => ({
          _id: `${petitionId.toHexString()}:cli-${i}` as never,
          petitionId,
          country,
          status: 'confirmed',
          createdAt: new Date(),
        })),
      );
      await connection.collection('tallies').updateOne({ _id: petitionId.toHexString() as never }, { $set: { counts: { GB: 5 }, updatedAt: new Date() } }, { upsert: true });

      const dry = await runScript('recount', dataDir, ['--dry-run']).catch((e: { stdout: string; code: number }) => e);
      assert.equal((dry as { code?: number }).code, 1, 'a dry run that finds drift exits 1');
      const fixed = await runScript('recount', dataDir);
      assert.match(fixed.stdout, /drift free-xinjiang-detainees GB: maintained 5, counted 2 \(-3\)/);
      assert.match(fixed.stdout, /drift free-xinjiang-detainees FR: maintained 0, counted 1 \(\+1\)/);
      const again = await runScript('recount', dataDir);
      assert.match(again.stdout, /no drift/);

      const tally = await connection.collection('tallies').findOne({ _id: petitionId.toHexString() as never });
      assert.deepEqual(tally!.counts, { GB: 2, FR: 1 });
    });
  });
});
