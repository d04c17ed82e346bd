import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { createServices } from '../server/compose.js';
import { loadConfig } from '../server/config/config.js';
import { freePort } from '../server/db/embedded-ferretdb.js';
import { normaliseEmail } from '../server/signatures/email-normaliser.js';
import { createSignatureRepository } from '../server/signatures/index.js';
import { signatureId } from '../server/signatures/signature-repository.js';
import { aPetition, aSigner } from './helpers/builders.js';
import { confirmTokenFrom, startSmtpServer, type SmtpServer } from './helpers/smtp.js';

const onMongo = !!process.env.MONGODB_URI;
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'handover-crash-'));
const dataKey = randomBytes(32);
let smtp: SmtpServer;
let port: number;
let app: ChildProcess | null = null;

before(async () => {
  smtp = await startSmtpServer();
  port = await freePort();
});
after(async () => {
  await stopApp('SIGTERM');
  const db = dbState();
  if (db && alive(db.pid)) process.kill(db.pid, 'SIGKILL');
  await smtp.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

const env = {
  ...process.env,
  NODE_ENV: 'development',
  DATA_DIR: dataDir,
  DATA_KEY: dataKey.toString('base64'),
  FERRETDB_BIN: path.resolve('.tools/ferretdb/ferretdb'),
  MONGODB_URI: '',
  LOG_LEVEL: 'error',
  SEED_DEMO: 'false',
  OUTBOX_POLL_MS: '50',
  OUTBOX_LEASE_SECONDS: '20',
  OUTBOX_RETRY_BASE_MS: '500',
  JOURNAL_RECOVER_AFTER_SECONDS: '2',
  COUNT_CACHE_SECONDS: '0',
  RATE_LIMIT_SIGN_PER_MINUTE: '1000000',
  RATE_LIMIT_CONFIRM_PER_MINUTE: '1000000',
};

const dbState = (): { pid: number; port: number } | null => {
  try {
    return JSON.parse(readFileSync(path.join(dataDir, 'ferretdb', 'ferretdb.json'), 'utf8')) as { pid: number; port: number };
  } catch {
    return null;
  }
};
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const base = () => `http://127.0.0.1:${port}`;

/** `npm start`'s server, from the sources; resolves once it answers its health check. */
async function startApp(): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env: { ...env, PORT: String(port), SMTP_URL: smtp.url }, stdio: ['ignore', 'ignore', 'inherit'] });
  app = child;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the app exited with ${child.exitCode}`);
    const ok = await fetch(`${base()}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await sleep(100);
  }
  throw new Error('the app did not answer within 60 s');
}

async function stopApp(signal: NodeJS.Signals): Promise<void> {
  const child = app;
  app = null;
  if (!child || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

/** Everything the load saw: what was acknowledged, and every answer that was neither a success nor a 503. */
interface Seen {
  signed: Set<string>;
  confirmed: Set<string>;
  refused: string[];
  unavailable: number;
  unreachable: number;
}

/** Signers sign without pause; each confirmation email that arrives is clicked, until `stop()`. */
function startLoad(slug: string, seen: Seen) {
  let running = true;
  let n = 0;
  const clicked = new Set<string>();
  const post = async (url: string, body: unknown): Promise<number> => {
    try {
      const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      await res.arrayBuffer();
      if (res.status === 503) seen.unavailable += 1;
      else if (res.status >= 400) seen.refused.push(`${res.status} ${url.replace(base(), '')}`);
      return res.status;
    } catch {
      seen.unreachable += 1; // the app is down: a person would try again
      return 0;
    }
  };
  const signer = async () => {
    while (running) {
      const email = `crash-${(n += 1)}-${slug}@example.org`;
      const status = await post(`${base()}/api/v1/petitions/${slug}/signatures`, aSigner({ email, country: ['GB', 'SN', 'PE', 'FI'][n % 4], ref: 'crash' }));
      if (status === 202) seen.signed.add(email);
      else if (status === 0) await sleep(100);
    }
  };
  const confirmer = async () => {
    while (running) {
      const mail = smtp.messages.find((m) => !clicked.has(m.raw) && /confirm your signature/i.test(m.subject));
      if (!mail) {
        await sleep(20);
        continue;
      }
      clicked.add(mail.raw);
      const status = await post(`${base()}/api/v1/confirm/${confirmTokenFrom(mail)}`, {});
      if (status === 200) seen.confirmed.add(mail.to);
      else if (status === 0 || status === 503) clicked.delete(mail.raw); // tried again later
    }
  };
  const workers = [...Array.from({ length: 6 }, signer), ...Array.from({ length: 4 }, confirmer)];
  return async () => {
    running = false;
    await Promise.all(workers);
  };
}

describe('crash safety', { skip: onMongo && 'kills the embedded database; MONGODB_URI is set' }, () => {
  test('when the app, then the database, then both are killed with SIGKILL under load, then every acknowledged signature and confirmation is stored and counted, and every email owed is sent', async () => {
    await startApp();
    const petition = aPetition();
    const db = dbState()!;
    const connection = await mongoose.createConnection(`mongodb://127.0.0.1:${db.port}/`, { dbName: 'handover' }).asPromise();
    const config = loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'silent' });
    const services = await createServices({ config, connection, logger: pino({ level: 'silent' }), dataKey });
    await services.petitionService.create(petition);
    const petitionId = (await services.petitionService.findVisible(petition.slug)).id;
    await connection.close();

    const seen: Seen = { signed: new Set(), confirmed: new Set(), refused: [], unavailable: 0, unreachable: 0 };
    const stopLoad = startLoad(petition.slug, seen);
    // Each phase lasts until the load has done some of each thing (on a busy machine that takes longer), at least `ms`.
    const underLoad = async (ms: number, signed: number, confirmed: number) => {
      const [signedBefore, confirmedBefore] = [seen.signed.size, seen.confirmed.size];
      const [least, most] = [Date.now() + ms, Date.now() + 60_000];
      while (Date.now() < most && (Date.now() < least || seen.signed.size - signedBefore < signed || seen.confirmed.size - confirmedBefore < confirmed)) await sleep(100);
    };
    await underLoad(2500, 40, 15);
    await stopApp('SIGKILL');
    await startApp();
    await underLoad(2500, 30, 15);
    process.kill(dbState()!.pid, 'SIGKILL'); // the app starts it again
    await underLoad(3000, 30, 15);
    const lastDb = dbState()!.pid;
    await stopApp('SIGKILL');
    process.kill(lastDb, 'SIGKILL');
    await startApp();
    await underLoad(2500, 30, 15);
    await stopLoad();

    const owed = [...seen.signed];
    const received = () => new Set(smtp.messages.map((m) => m.to));
    await smtp.waitFor(() => owed.every((email) => received().has(email)), 150_000).catch(() => undefined);
    const check = await mongoose.createConnection(`mongodb://127.0.0.1:${dbState()!.port}/`, { dbName: 'handover' }).asPromise();
    try {
      const journal = check.collection('signature_journal');
      const deadline = Date.now() + 30_000;
      while ((await journal.countDocuments()) > 0 && Date.now() < deadline) await sleep(200);
      const verify = await createServices({ config, connection: check, logger: pino({ level: 'silent' }), dataKey });
      const signatures = createSignatureRepository(check, verify.protector);
      const idOf = (email: string) => {
        const normalised = normaliseEmail(email);
        if (!normalised.ok) throw new Error(`not an address: ${email}`);
        return signatureId(petitionId, verify.protector.emailHash(normalised.canonical));
      };
      const stored = await Promise.all(owed.map(async (email) => ({ email, signature: await signatures.findById(idOf(email)) })));
      const lost = stored.filter((s) => !s.signature).map((s) => s.email);
      const unconfirmed = stored.filter((s) => seen.confirmed.has(s.email) && s.signature?.status !== 'confirmed').map((s) => s.email);
      const mailsTo = (email: string) => smtp.messages.filter((m) => m.to === email && /confirm your signature/i.test(m.subject)).length;
      const unsent = owed.filter((email) => mailsTo(email) === 0);
      const sentThrice = owed.filter((email) => mailsTo(email) > 2);
      const { drift } = await verify.recount({ fix: false });
      const tally = await verify.tallies.read(petitionId, { fresh: true });
      console.log(
        `acknowledged=${owed.length} found=${owed.length - lost.length} lost=${lost.length} confirmations_acknowledged=${seen.confirmed.size} ` +
          `mails_owed=${owed.length} mails_sent=${owed.reduce((n, email) => n + mailsTo(email), 0)} answered_503=${seen.unavailable} unreachable=${seen.unreachable}`,
      );

      assert.ok(owed.length > 100 && seen.confirmed.size > 50, `the load was too light to test anything: ${owed.length} signed, ${seen.confirmed.size} confirmed`);
      assert.deepEqual(seen.refused, [], 'no request was refused or failed other than with 503 while the database was down');
      assert.deepEqual(lost, [], 'every acknowledged signature is stored');
      assert.deepEqual(unconfirmed, [], 'every acknowledged confirmation is stored');
      assert.deepEqual(drift, [], 'the tallies equal a recount, with no recount run');
      assert.deepEqual(tally.refs, [{ code: 'crash', count: tally.confirmed }], 'the ref code is counted once per confirmation, like the country');
      assert.deepEqual(unsent, [], 'every confirmation email owed was sent');
      assert.deepEqual(sentThrice, [], 'no email was sent more than twice');
    } finally {
      await check.close();
    }
  });
});
