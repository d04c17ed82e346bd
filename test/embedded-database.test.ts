import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';

const onMongo = !!process.env.MONGODB_URI;
// The patched build's version, as the build script states it.
const BUILD = `v1.24.2-${/^BUILD="\$VERSION-(handover\.\d+)"$/m.exec(readFileSync('scripts/build-ferretdb.sh', 'utf8'))?.[1] ?? 'unknown'}`;
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

  test('when a filter has an _id condition beside others, or _id $in a list, then SQLite searches the _id index and the rest is still applied', async () => {
    const petition = await givenPetition(stack);
    for (const signer of [aSigner(), aSigner()]) assert.equal((await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, signer)).status, 202);
    const signatures = stack.database.connection.db!.collection<{ _id: string; status: string }>('signatures');
    const [a, b] = await signatures.find({}, { projection: { _id: 1, status: 1 } }).limit(2).toArray();
    assert.ok(a && b, 'two signatures were stored');
    const filters = {
      'an _id and a status': { _id: a._id, status: a.status },
      'an _id and a status it does not have': { _id: a._id, status: 'no-such-status' },
      '_id $in two stored and one unknown': { _id: { $in: [a._id, b._id, 'no-such-id'] } },
    };

    const plans = Object.fromEntries(await Promise.all(Object.entries(filters).map(async ([name, filter]) => [name, await planOf('signatures', filter)] as const)));
    const found = Object.fromEntries(
      await Promise.all(Object.entries(filters).map(async ([name, filter]) => [name, (await signatures.find(filter as never).toArray()).map((d) => d._id).sort()] as const)),
    );

    const scans = Object.entries(plans).filter(([, plan]) => !(plan.length === 1 && /SEARCH \S+ USING INDEX \S+__id_ /.test(plan[0]!)));
    assert.deepEqual(scans, [], 'every filter searches the _id index');
    assert.deepEqual(found, {
      'an _id and a status': [a._id],
      'an _id and a status it does not have': [],
      '_id $in two stored and one unknown': [a._id, b._id].sort(),
    });
  });

  test('when one update command carries more statements than FerretDB has SQLite connections, then it completes', async () => {
    const collection = stack.database.connection.db!.collection<{ _id: string; n: number }>(`bulk_${Date.now()}`);
    const ids = Array.from({ length: 250 }, (_, i) => `doc-${i}`);
    await collection.insertMany(ids.map((_id) => ({ _id, n: 0 })));

    // Unpatched, the 101st statement waits forever for a connection: the timeout turns a hang into a failure.
    const result = await Promise.race([
      collection.bulkWrite(ids.map((_id) => ({ updateOne: { filter: { _id, n: 0 }, update: { $inc: { n: 1 } } } })), { ordered: false }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the update command did not finish within 60 s')), 60_000).unref()),
    ]);

    assert.equal(result.modifiedCount, 250);
    assert.equal(await collection.countDocuments({ n: 1 }), 250);
    await collection.drop();
  });

  test('when the binary reports its version, then it is the patched build', async () => {
    const info = (await stack.database.connection.db!.admin().command({ buildInfo: 1 })) as { ferretdbVersion?: string };
    assert.equal(info.ferretdbVersion, BUILD);
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

    assert.ok(first.includes(`Built FerretDB ${BUILD}`), first);
    assert.ok(execFileSync(path.join(dir, 'ferretdb'), ['--version'], { encoding: 'utf8' }).includes(`version: ${BUILD}`));
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
