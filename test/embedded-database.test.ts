import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';

const onMongo = !!process.env.MONGODB_URI;
let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

/** SQLite's plan for a find, as FerretDB 1.24 reports it in `queryPlanner.Plan`. */
async function planOf(collection: string, filter: object): Promise<string[]> {
  const explained = await stack.database.connection.db!.command({ explain: { find: collection, filter } });
  return (explained.queryPlanner as { Plan?: string[] }).Plan ?? [];
}

describe('the embedded database', { skip: onMongo && 'MONGODB_URI is set: MongoDB explains differently' }, () => {
  test('when a signature is looked up by _id, then SQLite searches the _id index instead of scanning the collection', async () => {
    const petition = await givenPetition(stack);
    assert.equal((await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, aSigner())).status, 202);
    const stored = await stack.database.connection.db!.collection('signatures').findOne({}, { projection: { _id: 1 } });
    assert.ok(stored, 'the signature was stored');

    const plan = await planOf('signatures', { _id: stored._id });

    assert.equal(plan.length, 1, `one step expected, got ${JSON.stringify(plan)}`);
    assert.match(plan[0]!, /SEARCH \S+ USING INDEX \S+__id_ /, `the plan was ${JSON.stringify(plan)}`);
  });

  test('when the binary reports its version, then it is the patched build', async () => {
    const info = (await stack.database.connection.db!.admin().command({ buildInfo: 1 })) as { ferretdbVersion?: string };
    assert.equal(info.ferretdbVersion, 'v1.24.2-handover.1');
  });
});

describe('building the embedded database', { skip: onMongo && 'MONGODB_URI is set' }, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'handover-ferretdb-build-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const build = () => execFileSync('bash', ['scripts/build-ferretdb.sh'], { env: { ...process.env, FERRETDB_BUILD_DIR: dir }, encoding: 'utf8' });

  test('when an unpatched FerretDB is found, then it is rebuilt once with the patch', () => {
    mkdirSync(dir, { recursive: true });
    // Stands in for a binary built before the patch: it reports the plain upstream version.
    writeFileSync(path.join(dir, 'ferretdb'), '#!/bin/sh\necho "version: v1.24.2"\n');
    chmodSync(path.join(dir, 'ferretdb'), 0o755);

    const first = build();
    const second = build();

    assert.match(first, /Built FerretDB v1\.24\.2-handover\.1/);
    assert.match(execFileSync(path.join(dir, 'ferretdb'), ['--version'], { encoding: 'utf8' }), /version: v1\.24\.2-handover\.1/);
    assert.match(second, /already built/);
  });
});

describe('when the database cannot be reached', () => {
  test('when the connection to the database is gone, then signing and confirming answer 503 with Retry-After, never 500', async () => {
    const own = await startStack();
    try {
      const petition = await givenPetition(own);
      await own.services.petitionService.findVisible(petition.slug); // cached: the request reaches the database write
      await own.database.connection.close();

      const signed = await postJson(`${own.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, aSigner());
      const confirmed = await fetch(`${own.baseUrl}/api/v1/confirm/${'A'.repeat(43)}`, { method: 'POST' });

      assert.deepEqual({ status: signed.status, code: (signed.body as { error?: { code?: string } }).error?.code }, { status: 503, code: 'unavailable' });
      assert.equal(confirmed.status, 503);
      assert.equal(confirmed.headers.get('retry-after'), '5');
    } finally {
      await own.stop();
    }
  });
});
