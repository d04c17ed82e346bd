import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import type { JobStatus } from '../server/shared/progress.js';
import { counter } from '../server/tallies/tally-service.js';
import { givenUser, signedIn, type AdminClient } from './helpers/admin.js';
import { launchBrowser, watchForProblems } from './helpers/browser.js';
import { givenPetition } from './helpers/builders.js';
import { givenSignatures, petitionIdOf } from './helpers/export-signatures.js';
import { startStack, type Stack } from './helpers/stack.js';

// Enough signatures that a build takes a few seconds on the embedded database, so that it can be
// watched while it runs; the assertions poll with deadlines and never sleep a fixed time.
const SIGNERS = 3000;
const COUNTRIES = ['GB', 'FR', 'TR'];

const cookieOf = (client: AdminClient) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
const statusUrlIn = (html: string) => /data-job-status="([^"]+)"/.exec(html)?.[1];

/** Every status the endpoint answers until the job is no longer building. */
async function watch(client: AdminClient, url: string, timeoutMs = 180_000): Promise<JobStatus[]> {
  const seen: JobStatus[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await client.get(url);
    assert.equal(res.status, 200, res.html);
    const status = JSON.parse(res.html) as JobStatus;
    seen.push(status);
    if (status.state !== 'building') return seen;
    if (Date.now() > deadline) assert.fail(`still building after ${timeoutMs} ms: ${JSON.stringify(seen.slice(-3))}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('long jobs show their progress', () => {
  let stack: Stack;
  let browser: Browser;
  let slug: string;
  let targetPage: string;
  let organiser: AdminClient;

  before(async () => {
    [stack, browser] = await Promise.all([startStack(), launchBrowser()]);
    ({ slug } = await givenPetition(stack, { verification: 'none' }));
    const petitionId = await petitionIdOf(stack.database.connection, slug);
    const target = await stack.services.targets.create(petitionId, { name: 'Embassy in London', recipientName: 'The Ambassador', recipientTitle: 'Ambassador', city: 'London', country: 'GB', address: '49 Portland Place', language: 'en', plannedAt: '', notes: '' }, 'test');
    targetPage = `/admin/petitions/${slug}/targets/${target.id}`;
    const signers = Array.from({ length: SIGNERS }, (_, i) => ({ firstName: `Signer${i}`, lastName: 'Tursun', country: COUNTRIES[i % COUNTRIES.length]! }));
    for (let at = 0; at < signers.length; at += 1000) await givenSignatures(stack.database.connection, stack.services.protector, petitionId, signers.slice(at, at + 1000));
    const changes = Object.fromEntries(COUNTRIES.map((c) => [counter.confirmed(c), signers.filter((s) => s.country === c).length]));
    await stack.services.tallies.change(petitionId, changes);
    organiser = await signedIn(stack, 'organiser');
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test('when a packet is started from its target page, then the page shows a bar and the status goes from building (done < the tally’s total) to ready', async () => {
    const res = await organiser.submit(`${targetPage}/packets`, { cutoff: '', countries: '', names: 'full' }, targetPage);
    assert.equal(res.status, 303);
    const page = await organiser.get(targetPage);
    const url = statusUrlIn(page.html) ?? '';
    assert.ok(url.startsWith(`/admin/api/petitions/${slug}/packets/pk_`), 'the page names its status endpoint');
    assert.match(page.html, /<progress max="3000" value="\d+"/);
    assert.match(page.html, /of 3,000 signatures/);
    assert.match(page.html, /<script src="\/static\/js\/job-progress\.[0-9a-f]+\.js" defer><\/script>/);
    assert.match(page.html, /<noscript><a href="">Reload this page/);

    const seen = await watch(organiser, url);
    const first = seen[0]!;
    assert.equal(first.state, 'building', JSON.stringify(seen));
    assert.equal(first.total, SIGNERS, 'the expected total comes from the tally before reading');
    assert.ok(first.done < first.total, JSON.stringify(first));
    assert.deepEqual(seen.at(-1), { state: 'ready', phase: 'done', done: SIGNERS, total: SIGNERS });
    const overshoot = seen.filter((s) => s.done > s.total);
    assert.deepEqual(overshoot, []);
    assert.doesNotMatch((await organiser.get(targetPage)).html, /<progress/);
    await stack.services.packets.settle();
  });

  test('when the status of an unknown packet is asked, then 404 JSON', async () => {
    const res = await organiser.get(`/admin/api/petitions/${slug}/packets/pk_nope`);
    assert.equal(res.status, 404);
    assert.equal((JSON.parse(res.html) as { error: { code: string } }).error.code, 'not_found');
  });

  test('when an organiser prepares a signatures export, then a bar goes to ready, the download equals the streamed export, and the file is sealed at rest and removed after download', async () => {
    const exportsPage = `/admin/petitions/${slug}/exports`;
    const res = await organiser.submit(exportsPage, {}, exportsPage);
    assert.equal(res.status, 303);
    const page = await organiser.get(exportsPage);
    const url = statusUrlIn(page.html) ?? '';
    assert.ok(url.startsWith(`/admin/api/petitions/${slug}/exports/ex_`), page.html);
    const id = url.split('/').at(-1)!;

    const seen = await watch(organiser, url);
    assert.equal(seen[0]?.state, 'building', JSON.stringify(seen));
    assert.ok(seen[0].done < seen[0].total && seen[0].total === SIGNERS, JSON.stringify(seen[0]));
    assert.deepEqual(seen.at(-1), { state: 'ready', phase: 'done', done: SIGNERS, total: SIGNERS });

    const db = stack.database.connection;
    const stored = await db.collection('files.files').findOne({ 'metadata.exportJobId': id });
    assert.ok(stored, 'the prepared file is in the files bucket');
    const chunks = await db.collection<{ data: { buffer: Uint8Array } }>('files.chunks').find({ files_id: stored._id }).toArray();
    const plainInChunks = chunks.filter((c) => Buffer.from(c.data.buffer).includes('Tursun'));
    assert.deepEqual(plainInChunks, [], 'no name is readable at rest');

    const headers = { cookie: cookieOf(organiser) };
    const download = await fetch(new URL(`${exportsPage}/${id}.csv`, stack.baseUrl), { headers });
    assert.equal(download.status, 200);
    assert.match(download.headers.get('content-disposition') ?? '', /^attachment; filename="?[\w-]+-signatures-[\w-]+\.csv"?$/);
    const bytes = Buffer.from(await download.arrayBuffer());
    assert.equal(Number(download.headers.get('content-length')), bytes.length, 'a known length: the browser shows its own progress');
    const body = bytes.toString('utf8');
    const streamed = Buffer.from(await (await fetch(new URL(`/admin/petitions/${slug}/export/signatures.csv`, stack.baseUrl), { headers })).arrayBuffer()).toString('utf8');
    const sortedLines = (csv: string) => csv.split('\r\n').sort();
    assert.deepEqual(sortedLines(body), sortedLines(streamed));

    assert.equal(await db.collection('files.files').countDocuments({ 'metadata.exportJobId': id }), 0, 'the file is removed once downloaded');
    assert.equal((await organiser.get(`${exportsPage}/${id}.csv`)).status, 410);
    assert.match((await organiser.get(exportsPage)).html, /Downloaded; the file was removed/);
    const audit = await stack.services.audit.latest(5, { action: 'export.download' });
    assert.equal(audit[0]?.rows, SIGNERS);
  });

  test('when another organiser asks for someone else’s export, then it does not exist for them, and an analyst may not ask at all', async () => {
    const exportsPage = `/admin/petitions/${slug}/exports`;
    await organiser.submit(exportsPage, {}, exportsPage);
    const id = statusUrlIn((await organiser.get(exportsPage)).html)!.split('/').at(-1)!;
    const other = await signedIn(stack, 'organiser');
    const answers = [(await other.get(`/admin/api/petitions/${slug}/exports/${id}`)).status, (await other.get(`${exportsPage}/${id}.csv`)).status];
    assert.deepEqual(answers, [404, 404]);
    assert.doesNotMatch((await other.get(exportsPage)).html, new RegExp(id));
    const analyst = await signedIn(stack, 'analyst');
    const refused = [(await analyst.get(`/admin/api/petitions/${slug}/exports/${id}`)).status, (await analyst.get(exportsPage)).status];
    assert.deepEqual(refused, [403, 403]);
    await stack.services.exportJobs.settle();
  });

  test('when an organiser starts a packet in a real browser, then the bar fills and "Ready" with the download link appears without a reload', async () => {
    const { email, password } = await givenUser(stack, 'organiser');
    const context = await browser.newContext({ baseURL: stack.baseUrl, locale: 'en-GB' });
    const page = await context.newPage();
    const problems = await watchForProblems(page);
    await page.goto(`/admin/login?next=${encodeURIComponent(targetPage)}`);
    await page.fill('#email', email);
    await page.fill('#password', password);
    await Promise.all([page.waitForURL(`**${targetPage}`), page.click('form[action="/admin/login"] button[type=submit]')]);
    await Promise.all([page.waitForURL(`**${targetPage}`), page.click('form.packet-form button[type=submit]')]);

    const block = page.locator('[data-job-status]');
    await block.waitFor();
    await page.evaluate(() => ((window as unknown as { sameDocument: boolean }).sameDocument = true));
    assert.match((await block.locator('[data-job-label]').textContent()) ?? '', /of 3,000 signatures/);
    const ready = block.locator('[data-job-ready]');
    await ready.waitFor({ state: 'visible', timeout: 180_000 });
    assert.match((await ready.textContent()) ?? '', /Ready/);
    assert.match((await ready.locator('a').getAttribute('href')) ?? '', new RegExp(`^/admin/petitions/${slug}/packets/pk_[0-9a-f]+\\.zip$`));
    assert.equal(await block.locator('[data-job-building]').isVisible(), false);
    assert.equal(await page.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument), true, 'no reload');
    assert.deepEqual(problems, { console: [], pageErrors: [], cspViolations: [] });
    await context.close();
    await stack.services.packets.settle();
  });
});
