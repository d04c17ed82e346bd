import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { pino } from 'pino';
import sharp from 'sharp';
import { createServices, type Services } from '../server/compose.js';
import { loadConfig } from '../server/config/config.js';
import { startEmbeddedFerretDb, type EmbeddedDatabase } from '../server/db/embedded-ferretdb.js';
import { keyIdOf } from '../server/shared/data-protector.js';
import { createSignatureRepository } from '../server/signatures/index.js';
import { parseSignatureInput } from '../server/signatures/signature-input.js';
import { aPetition, aSigner } from './helpers/builders.js';
import { npmRun, scriptCommand } from './helpers/cli.js';
import { startSmtpServer, type SmtpServer } from './helpers/smtp.js';

const FERRETDB_BIN = path.resolve('.tools/ferretdb/ferretdb');
const b64 = (key: Buffer) => key.toString('base64');

describe('npm run rotate-key, while the data is in use', () => {
  const [first, second, third] = [randomBytes(32), randomBytes(32), randomBytes(32)];
  const petition = aPetition();
  let dataDir: string;
  let db: EmbeddedDatabase;
  let smtp: SmtpServer;
  let connection: mongoose.Connection;
  let image: Buffer;
  const signatureIds: string[] = [];

  const config = () => loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, FERRETDB_BIN, LOG_LEVEL: 'silent', SMTP_URL: smtp.url });
  /** The app's services with these keys: the hash root stays the first key throughout (README, "Rotating DATA_KEY"). */
  const servicesWith = (dataKey: Buffer, oldKeys: Buffer[] = []) => createServices({ config: config(), connection, logger: pino({ level: 'silent' }), dataKey, oldKeys, hashKey: first });
  const cliEnv = (dataKey: Buffer, old: Buffer) => ({
    ...process.env,
    DATA_DIR: dataDir,
    FERRETDB_BIN,
    MONGODB_URI: '',
    LOG_LEVEL: 'warn',
    NODE_ENV: 'development',
    DATA_KEY: b64(dataKey),
    DATA_KEYS_OLD: b64(old),
    HASH_KEY: b64(first),
  });

  async function sign(services: Services, overrides: Record<string, unknown> = {}): Promise<string> {
    const parsed = parseSignatureInput(aSigner(overrides), { strict: false });
    if (!parsed.ok) throw new Error(`bad signer: ${JSON.stringify(parsed.fields)}`);
    await services.signatureService.sign(petition.slug, parsed.value, { ip: '203.0.113.9', lang: 'en' });
    return parsed.value.email;
  }
  async function confirm(services: Services, email: string): Promise<void> {
    await smtp.waitFor(() => smtp.messages.some((m) => m.to === email), 30_000);
    const token = /\/confirm\/([\w-]+)/.exec(smtp.messages.find((m) => m.to === email)!.text)?.[1];
    assert.ok(token, `a confirmation link was sent to ${email}`);
    signatureIds.push((await services.signatureService.confirm(token)).signatureId);
  }

  /** Everything sealed, opened by services holding `key` alone: the failures, by where they are. */
  async function unreadableWith(key: Buffer): Promise<string[]> {
    const services = await servicesWith(key);
    try {
      const failures: string[] = [];
      const { protector } = services;
      const signatures = createSignatureRepository(connection, protector);
      const tryOpen = async (where: string, read: () => unknown) => {
        try {
          await read();
        } catch (error) {
          failures.push(`${where}: ${(error as Error).message}`);
        }
      };
      for (const id of signatureIds) {
        await tryOpen(`signature ${id}`, async () => assert.ok((await signatures.findById(id))?.details.email, 'details open'));
      }
      const opened = (sealed: unknown, context: string, where: string) =>
        tryOpen(where, () => assert.ok(protector.isCurrent(Buffer.from(String(sealed), 'base64')) && protector.open(Buffer.from(String(sealed), 'base64'), context), 'under the key'));
      for (const t of await connection.collection<{ recipient: string; via?: string; signatureId: string }>('confirm_tokens').find().toArray()) {
        await opened(t.recipient, `outbox:${t.signatureId}`, `token recipient ${t.signatureId}`);
        if (t.via) await opened(t.via, `via:${t.signatureId}`, `token via ${t.signatureId}`);
      }
      for (const name of ['outbox', 'outbox_bulk']) {
        for (const job of await connection.collection<{ payload: { recipient: string; signatureId: string } }>(name).find().toArray()) {
          await opened(job.payload.recipient, `outbox:${job.payload.signatureId}`, `${name} ${String(job._id)}`);
        }
      }
      await tryOpen('petition image', async () => assert.deepEqual((await services.petitionImages.read(petition.slug))?.data, image));
      return failures;
    } finally {
      await services.close();
    }
  }

  before(async () => {
    dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-rotate-'));
    smtp = await startSmtpServer();
    db = await startEmbeddedFerretDb({ bin: FERRETDB_BIN, dataDir, logger: pino({ level: 'silent' }) });
    connection = await mongoose.createConnection(db.uri, { dbName: 'handover' }).asPromise();

    // Written under the first key: confirmed signatures, one through another's share code, one still pending, an image.
    const services = await servicesWith(first);
    try {
      await services.petitionService.create(petition);
      services.mailWorker.start();
      for (let i = 0; i < 3; i += 1) await confirm(services, await sign(services));
      const code = await createSignatureRepository(connection, services.protector).shareCodeOf(signatureIds[0]!, () => 'rotatecode1');
      assert.ok(code, 'the first signer has a share code');
      await confirm(services, await sign(services, { via: code }));
      await services.mailWorker.stop();
      await sign(services); // pending: its token and outbox job keep its sealed recipient
      const photo = await sharp({ create: { width: 320, height: 200, channels: 3, background: { r: 20, g: 90, b: 160 } } }).png().toBuffer();
      await services.petitionImages.set(petition.slug, photo, 'A blue square');
      image = (await services.petitionImages.read(petition.slug))!.data;
    } finally {
      await services.close();
    }
  });
  after(async () => {
    await connection.close();
    await db.stop();
    await smtp.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('when the key is rotated while the app reads both keys, then everything opens under the new key alone', async () => {
    const before = (await unreadableWith(second)).map((failure) => failure.split(' ')[0]);
    // Before rotating, the new key alone opens nothing: every kind of sealed thing is checked.
    assert.deepEqual(['petition', 'signature', 'token', 'outbox'].filter((kind) => !before.includes(kind)), [], `failures before rotating: ${before.join(', ')}`);
    assert.equal(before.filter((kind) => kind === 'signature').length, signatureIds.length);
    const app = await servicesWith(second, [first]); // the app, restarted with both keys, keeps serving meanwhile
    try {
      const { stdout } = await npmRun('rotate-key', ['--batch-size', '2'], { env: cliEnv(second, first), timeout: 120_000 });
      assert.match(stdout, /^rotated=1 resealed=\d+ remaining=0 key=/m);
      assert.deepEqual(await unreadableWith(second), []);

      const unpinned: NodeJS.ProcessEnv = { ...cliEnv(second, first), HASH_KEY: '' };
      const refused = await npmRun('rotate-key', [], { env: unpinned, timeout: 60_000 }).then(
        () => assert.fail('expected a refusal'),
        (e: { code: number; stderr: string }) => e,
      );
      assert.equal(refused.code, 78, 'without HASH_KEY the hashes would change: the command refuses to start');
      assert.match(refused.stderr, /HASH_KEY: this database's keyed hashes were made with key/);
    } finally {
      await app.close();
    }
  });

  test('when a rotation is killed halfway, then running it again resumes from its checkpoint and leaves nothing under the old key', async () => {
    const checkpoint = () => connection.collection('key_rotation').findOne({ _id: 'checkpoint' as never });
    const [bin, argv] = scriptCommand('rotate-key', ['--batch-size', '1', '--pause-ms', '500']);
    const child = spawn(bin, argv, { env: cliEnv(third, second), stdio: 'ignore' });
    const deadline = Date.now() + 60_000;
    let seen: Awaited<ReturnType<typeof checkpoint>> = null;
    while (Date.now() < deadline && !(seen && seen.keyId === keyIdOf(third) && seen.resealed > 0 && !seen.finishedAt && seen.stage === 0)) {
      await sleep(100);
      seen = await checkpoint();
    }
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
    assert.ok(seen && seen.resealed > 0 && !seen.finishedAt, `killed with progress recorded and not finished: ${JSON.stringify(seen)}`);
    assert.notDeepEqual(await unreadableWith(third), [], 'the killed run left some values under the old key');

    const { stdout } = await npmRun('rotate-key', ['--batch-size', '50'], { env: cliEnv(third, second), timeout: 120_000 });
    assert.match(stdout, /^resuming at signatures after /m);
    assert.match(stdout, /^rotated=1 resealed=\d+ remaining=0 key=/m);
    assert.deepEqual(await unreadableWith(third), []);
  });
});
