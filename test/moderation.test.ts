import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { createSignatureRepository } from '../server/signatures/signature-repository.js';
import { counter } from '../server/tallies/tally-service.js';
import { csrfFrom, signedIn, type AdminClient } from './helpers/admin.js';
import { givenPetition, postJson } from './helpers/builders.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { startStack, type Stack } from './helpers/stack.js';
import { attribute } from './helpers/web-client.js';

let stack: Stack;
let organiser: AdminClient;
before(async () => {
  stack = await startStack({ TRENDING_FLAG_THRESHOLD: '3' });
  organiser = await signedIn(stack, 'organiser');
});
after(async () => {
  await stack.stop();
});

const today = new Date().toISOString().slice(0, 10);
const petitionId = async (slug: string) => (await stack.services.petitionService.findVisible(slug)).id;
const sign = async (slug: string, signer: Record<string, unknown>) => {
  const res = await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, signer);
  assert.equal(res.status, 202, res.text);
};

/** Paper signatures as an import stores and counts them. */
async function givenPaper(id: string, rows: { firstName: string; lastName: string; country: string; collectedAt: Date }[]) {
  const repo = createSignatureRepository(stack.services.connection, stack.services.protector);
  await repo.insertMany(
    rows.map((r) => ({
      petitionId: id,
      emailHash: `paper:${randomBytes(8).toString('hex')}`,
      domainHash: null,
      ipHash: null,
      country: r.country,
      status: 'confirmed',
      verification: 'email',
      consent: { updates: false, hideName: false },
      ref: null,
      details: { firstName: r.firstName, lastName: r.lastName, email: '', postcode: '', comment: '' },
      createdAt: new Date(),
      source: 'paper',
      collectedAt: r.collectedAt,
    })),
  );
  for (const r of rows) await stack.services.tallies.change(id, { [counter.paper(r.country)]: 1, [counter.day(r.collectedAt)]: 1 });
}

/** Four confirmed online (GB, FR, GB, DE), two pending (GB, FR), two paper (GB, DE). `flood` holds Ana, Bruno and Eli. */
async function givenSignedPetition() {
  const petition = await givenPetition(stack, { verification: 'email' });
  const u = randomBytes(3).toString('hex');
  const flood = `flood-${u}.example`;
  const other = `other-${u}.example`;
  const signers = [
    { firstName: 'Ana', lastName: 'Lima', email: `ana.lima.${u}@${flood}`, country: 'GB', ref: 'tw' },
    { firstName: 'Bruno', lastName: 'Costa', email: `bruno.${u}@${flood}`, country: 'FR' },
    { firstName: 'Chen', lastName: 'Wei', email: `chen.${u}@${other}`, country: 'GB' },
    { firstName: 'Dora', lastName: 'Limaverde', email: `dora.${u}@${other}`, country: 'DE' },
    { firstName: 'Eli', lastName: 'Stone', email: `eli.${u}@${flood}`, country: 'GB' },
    { firstName: 'Fay', lastName: 'Ray', email: `fay.${u}@${other}`, country: 'FR' },
  ];
  for (const s of signers) await sign(petition.slug, s);
  for (const s of signers.slice(0, 4)) {
    await stack.smtp.waitFor(() => stack.smtp.to(s.email).length > 0);
    const res = await postJson(`${stack.baseUrl}/api/v1/confirm/${confirmTokenFrom(stack.smtp.to(s.email)[0]!)}`, '');
    assert.equal(res.status, 200);
  }
  const id = await petitionId(petition.slug);
  await givenPaper(id, [
    { firstName: 'Gus', lastName: 'Lima', country: 'GB', collectedAt: new Date('2024-03-01T12:00:00Z') },
    { firstName: 'Hana', lastName: 'Mori', country: 'DE', collectedAt: new Date('2024-03-02T12:00:00Z') },
  ]);
  return { slug: petition.slug, id, u, flood, other, signers };
}

interface Row { firstName: string; lastName: string; country: string; status: string; source: string; domain: string | null; ref: string | null; ipHashPrefix: string | null }
async function search(slug: string, query: Record<string, string>, client: AdminClient = organiser) {
  const res = await client.get(`/admin/api/petitions/${slug}/signatures?${new URLSearchParams(query).toString()}`);
  return { status: res.status, text: res.html, ...(JSON.parse(res.html) as { count: number; rows: Row[]; error?: { fields?: Record<string, string> } }) };
}
const names = (rows: Row[]) => rows.map((r) => r.firstName).sort();

async function tallyOf(id: string) {
  const { countries, confirmed, paper, pending, invalidated, daily } = await stack.services.tallies.read(id, { fresh: true });
  return { countries, confirmed, paper, pending, invalidated, daily };
}

/** The hidden fields of a form on a page, as a browser would submit them. */
function formFields(html: string, formId: string): Record<string, string> {
  const form = new RegExp(`<form\\b[^>]*id="${formId}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1] ?? '';
  return Object.fromEntries([...form.matchAll(/<input\b[^>]*>/g)].map((m) => [attribute(m[0], 'name') ?? '', attribute(m[0], 'value') ?? '']));
}

const searchPage = (slug: string, query = '') => organiser.get(`/admin/petitions/${slug}/signatures${query}`);
const preview = async (slug: string, filters: Record<string, string>) => organiser.submit(`/admin/petitions/${slug}/invalidate`, filters, `/admin/petitions/${slug}/signatures`);
const count = (html: string, id: string) => Number(attribute(new RegExp(`<[a-z0-9]+\\b[^>]*id="${id}"[^>]*>`).exec(html)?.[0], 'data-count'));

async function invalidate(slug: string, filters: Record<string, string>) {
  const page = await preview(slug, filters);
  assert.equal(page.status, 200, page.html);
  return organiser.post(`/admin/petitions/${slug}/invalidate`, formFields(page.html, 'invalidate-confirm'));
}

describe('searching signatures', () => {
  test('when an organiser filters, then each filter narrows the list to exactly the matching signatures', async () => {
    const p = await givenSignedPetition();
    const ipHash = ((await organiser.get(`/admin/api/petitions/${p.slug}/trending`)).html.match(/"ipHash":"([\w-]{43})"/) ?? [])[1]!;
    const cases: [Record<string, string>, string[]][] = [
      [{}, ['Ana', 'Bruno', 'Chen', 'Dora', 'Eli', 'Fay', 'Gus', 'Hana']],
      [{ email: `ANA.LIMA.${p.u}+x@${p.flood.toUpperCase()}` }, ['Ana']],
      [{ domain: p.flood.toUpperCase() }, ['Ana', 'Bruno', 'Eli']],
      [{ country: 'gb' }, ['Ana', 'Chen', 'Eli', 'Gus']],
      [{ status: 'pending' }, ['Eli', 'Fay']],
      [{ status: 'invalidated' }, []],
      [{ source: 'paper' }, ['Gus', 'Hana']],
      [{ source: 'online', country: 'DE' }, ['Dora']],
      [{ ipHash }, ['Ana', 'Bruno', 'Chen', 'Dora', 'Eli', 'Fay']],
      [{ from: today, to: today, domain: p.other }, ['Chen', 'Dora', 'Fay']],
      [{ from: '2999-01-01' }, []],
      [{ name: 'lima' }, ['Ana', 'Dora', 'Gus']],
      [{ name: 'ANA LIMA' }, ['Ana']],
      [{ name: 'lima', source: 'online', status: 'confirmed' }, ['Ana', 'Dora']],
    ];
    for (const [query, expected] of cases) {
      const result = await search(p.slug, query);
      assert.equal(result.status, 200, result.text);
      assert.deepEqual({ query, names: names(result.rows), count: result.count }, { query, names: expected, count: expected.length });
    }
    const ana = (await search(p.slug, { name: 'ana lima' })).rows[0]!;
    assert.deepEqual(ana, { ...ana, lastName: 'Lima', country: 'GB', status: 'confirmed', source: 'online', domain: p.flood, ref: 'tw' });
    assert.equal(ana.ipHashPrefix, ipHash.slice(0, 10));

    const page = await searchPage(p.slug, '?country=GB');
    assert.equal(page.status, 200);
    assert.equal(count(page.html, 'match-count'), 4);
    assert.match(page.html, /Ana Lima/);
    assert.ok(!page.html.includes(`ana.lima.${p.u}@`), 'email addresses are never shown');
  });

  test('when a filter is malformed, then the answer names it and nothing is searched or run', async () => {
    const p = await givenSignedPetition();
    for (const [query, field] of [[{ country: 'QQ' }, 'country'], [{ from: '2025-13-01' }, 'from'], [{ emial: 'x@example.org' }, 'emial'], [{ ipHash: 'abc' }, 'ipHash']] as const) {
      const result = await search(p.slug, query);
      assert.equal(result.status, 422, JSON.stringify(query));
      assert.deepEqual(Object.keys(result.error?.fields ?? {}), [field]);
    }
    const page = await searchPage(p.slug, '?status=deleted');
    assert.equal(page.status, 422);
    assert.match(page.html, /id="status-error">Choose pending, confirmed or invalidated/);

    const before = await tallyOf(p.id);
    const refused = await preview(p.slug, { domain: 'not a domain', confirm: 'yes', expected: '3' });
    assert.equal(refused.status, 422);
    assert.match(refused.html, /id="domain-error"/);
    const unfiltered = await preview(p.slug, { confirm: 'yes', expected: '8' });
    assert.equal(unfiltered.status, 422, 'an invalidation needs at least one filter');
    assert.deepEqual(await tallyOf(p.id), before);
    assert.equal((await search(p.slug, { status: 'invalidated' })).count, 0);
  });
});

describe('invalidating by condition', () => {
  test('when an organiser previews, then the count is shown and nothing changes', async () => {
    const p = await givenSignedPetition();
    const before = await tallyOf(p.id);
    const page = await preview(p.slug, { domain: p.flood });
    assert.equal(page.status, 200);
    assert.equal(count(page.html, 'preview-count'), 3);
    assert.deepEqual(formFields(page.html, 'invalidate-confirm'), { ...formFields(page.html, 'invalidate-confirm'), domain: p.flood, expected: '3', confirm: 'yes' });
    assert.deepEqual(await tallyOf(p.id), before);
    assert.equal((await search(p.slug, { status: 'invalidated' })).count, 0);
  });

  test('when the run is confirmed, then exactly the matching signatures leave the counts per country, and restore puts them back', async () => {
    const p = await givenSignedPetition();
    const before = await tallyOf(p.id);
    const done = await invalidate(p.slug, { domain: p.flood });
    assert.equal(done.status, 200, done.html);
    assert.equal(count(done.html, 'moderation-done'), 3);

    const after = await tallyOf(p.id);
    assert.deepEqual(after.countries, [{ code: 'DE', count: 2, online: 1, paper: 1 }, { code: 'GB', count: 2, online: 1, paper: 1 }]);
    assert.deepEqual([after.confirmed, after.paper, after.pending, after.invalidated], [before.confirmed - 2, before.paper, before.pending - 1, before.invalidated + 3]);
    assert.deepEqual(after.daily.find((d) => d.day === today)?.count, (before.daily.find((d) => d.day === today)?.count ?? 0) - 2);
    assert.deepEqual((await stack.services.recount({ fix: false })).drift, []);
    assert.deepEqual(names((await search(p.slug, { status: 'invalidated' })).rows), ['Ana', 'Bruno', 'Eli']);

    const [entry] = await stack.services.audit.latest(1, { action: 'moderation.invalidate' });
    assert.deepEqual({ ...entry, at: null }, { at: null, actor: organiser.email, action: 'moderation.invalidate', petition: p.slug, details: { filters: { domain: p.flood }, runId: entry!.details.runId }, rows: 3 });

    const page = await searchPage(p.slug);
    const runId = String(entry!.details.runId);
    assert.match(page.html, new RegExp(`id="run-${runId}"`));
    const restored = await organiser.post(`/admin/petitions/${p.slug}/restore`, { _csrf: csrfFrom(page.html), runId });
    assert.equal(restored.status, 200, restored.html);
    assert.equal(count(restored.html, 'moderation-done'), 3);
    assert.deepEqual(await tallyOf(p.id), before);
    assert.deepEqual((await stack.services.recount({ fix: false })).drift, []);
    assert.equal((await search(p.slug, { status: 'pending' })).count, 2);
    const [restoreEntry] = await stack.services.audit.latest(1, { action: 'moderation.restore' });
    assert.deepEqual([restoreEntry?.petition, restoreEntry?.rows, restoreEntry?.details.runId], [p.slug, 3, runId]);

    const again = await organiser.post(`/admin/petitions/${p.slug}/restore`, { _csrf: csrfFrom(page.html), runId });
    assert.equal(again.status, 409, 'a run is restored once');
    assert.deepEqual(await tallyOf(p.id), before);
  });

  test('when invalidating by name, then only signatures whose decrypted name matches are invalidated, paper ones included', async () => {
    const p = await givenSignedPetition();
    const before = await tallyOf(p.id);
    const done = await invalidate(p.slug, { name: 'lima' });
    assert.equal(done.status, 200, done.html);
    assert.equal(count(done.html, 'moderation-done'), 3);
    const after = await tallyOf(p.id);
    assert.deepEqual(after.countries, [{ code: 'DE', count: 1, online: 0, paper: 1 }, { code: 'FR', count: 1, online: 1, paper: 0 }, { code: 'GB', count: 1, online: 1, paper: 0 }]);
    assert.equal(after.invalidated, before.invalidated + 3);
    assert.ok(!after.daily.some((d) => d.day === '2024-03-01'), 'the paper signature leaves the day it was collected');
    assert.deepEqual((await stack.services.recount({ fix: false })).drift, []);
    const [entry] = await stack.services.audit.latest(1, { action: 'moderation.invalidate' });
    assert.deepEqual(entry?.details.filters, { name: '[given]' });

    const page = await searchPage(p.slug);
    await organiser.post(`/admin/petitions/${p.slug}/restore`, { _csrf: csrfFrom(page.html), runId: String(entry.details.runId) });
    assert.deepEqual(await tallyOf(p.id), before);
  });

  test('when the matching signatures changed since the preview, then nothing runs and the new count is shown', async () => {
    const p = await givenSignedPetition();
    const before = await tallyOf(p.id);
    const page = await preview(p.slug, { country: 'FR' });
    const fields = formFields(page.html, 'invalidate-confirm');
    await sign(p.slug, { firstName: 'Ivo', lastName: 'Late', email: `ivo.${p.u}@${p.other}`, country: 'FR' });
    const res = await organiser.post(`/admin/petitions/${p.slug}/invalidate`, fields);
    assert.equal(res.status, 409);
    assert.equal(count(res.html, 'preview-count'), 3);
    assert.deepEqual({ ...(await tallyOf(p.id)), pending: before.pending }, before);
    assert.equal((await search(p.slug, { status: 'invalidated' })).count, 0);
  });
});

describe('trending', () => {
  test('when one domain signs in a burst, then it tops the list with its count and is flagged above the threshold', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const u = randomBytes(3).toString('hex');
    for (let i = 0; i < 5; i++) await sign(petition.slug, { firstName: 'Bot', lastName: `N${'x'.repeat(i)}`, email: `bot${i}.${u}@burst-${u}.example`, country: 'GB' });
    for (let i = 0; i < 2; i++) await sign(petition.slug, { firstName: 'Kim', lastName: 'Calm', email: `kim${i}.${u}@calm-${u}.example`, country: 'FR' });

    const res = await organiser.get(`/admin/api/petitions/${petition.slug}/trending`);
    const body = JSON.parse(res.html) as { threshold: number; domains: { domain: string; count: number; flagged: boolean }[]; ips: { ipHash: string; count: number; flagged: boolean }[] };
    assert.equal(body.threshold, 3);
    assert.deepEqual(body.domains.map(({ domain, count, flagged }) => ({ domain, count, flagged })), [
      { domain: `burst-${u}.example`, count: 5, flagged: true },
      { domain: `calm-${u}.example`, count: 2, flagged: false },
    ]);
    assert.deepEqual(body.ips.map(({ count, flagged }) => ({ count, flagged })), [{ count: 7, flagged: true }]);
    assert.doesNotMatch(res.html, /127\.0\.0\.1/);

    const page = await organiser.get(`/admin/petitions/${petition.slug}/trending`);
    assert.equal(page.status, 200);
    const row = new RegExp(`<tr class="flagged" data-domain="burst-${u}.example"[\\s\\S]*?(<a [^>]*>)`).exec(page.html);
    assert.ok(row, 'the burst domain is flagged on the page');
    const linked = await organiser.get(attribute(row[1], 'href')!);
    assert.equal(count(linked.html, 'match-count'), 5);
  });
});

describe('who may moderate', () => {
  test('when an analyst or an anonymous visitor asks, then every moderation route refuses', async () => {
    const p = await givenSignedPetition();
    const analyst = await signedIn(stack, 'analyst');
    const before = await tallyOf(p.id);
    const gets = [`/admin/petitions/${p.slug}/signatures`, `/admin/petitions/${p.slug}/trending`, `/admin/api/petitions/${p.slug}/signatures`, `/admin/api/petitions/${p.slug}/trending`];
    for (const path of gets) assert.equal((await analyst.get(path)).status, 403, path);
    assert.equal((await analyst.submit(`/admin/petitions/${p.slug}/invalidate`, { domain: p.flood, confirm: 'yes', expected: '3' })).status, 403);
    assert.equal((await analyst.submit(`/admin/petitions/${p.slug}/restore`, { runId: 'a'.repeat(16) })).status, 403);
    assert.deepEqual(await tallyOf(p.id), before);

    const anonymous = (path: string) => fetch(`${stack.baseUrl}${path}`, { redirect: 'manual' }).then((r) => r.status);
    assert.equal(await anonymous(gets[0]!), 303);
    assert.equal(await anonymous(gets[2]!), 401);
  });
});

describe('searches in the audit log', () => {
  interface AuditRow { actor: string; action: string; petition: string; details: string; rows: string }
  /** The audit page's table, as an admin reads it. */
  const auditRows = (html: string): AuditRow[] =>
    [...html.matchAll(/<tr><td><time[^>]*>[^<]*<\/time><\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td>([^<]*)<\/td><td class="num">([^<]*)<\/td><\/tr>/g)].map(
      ([, actor, action, petition, details, rows]) => ({ actor: actor!, action: action!, petition: petition!, details: details!, rows: rows! }),
    );

  test('when an organiser searches or counts by email or by name, on the page or through the API, then the audit page shows who, the filters with those values replaced, and the rows; the values are stored nowhere in the log', async () => {
    const p = await givenSignedPetition();
    const searcher = await signedIn(stack, 'organiser');
    const admin = await signedIn(stack, 'admin');
    const email = `Ana.Lima.${p.u}@${p.flood}`;

    const byEmail = await search(p.slug, { email, country: 'GB' }, searcher);
    assert.deepEqual(names(byEmail.rows), ['Ana']);
    const byName = await searcher.get(`/admin/petitions/${p.slug}/signatures?${new URLSearchParams({ name: 'Limaverde' }).toString()}`);
    assert.equal(count(byName.html, 'match-count'), 1);
    const counted = await searcher.submit(`/admin/petitions/${p.slug}/invalidate`, { name: 'limaverde' });
    assert.equal(count(counted.html, 'preview-count'), 1);
    const guessed = await searcher.submit(`/admin/petitions/${p.slug}/invalidate`, { name: 'limaverde', confirm: 'yes', expected: '999' });
    assert.equal(guessed.status, 409, 'a run with a wrong expected count shows the count instead');
    const everyone = await search(p.slug, {}, searcher);
    assert.equal(everyone.count, 8);
    await searcher.get(`/admin/petitions/${p.slug}/trending`);

    const page = await admin.get('/admin/audit');
    assert.equal(page.status, 200);
    const seen = auditRows(page.html).filter((row) => row.actor === searcher.email && row.action !== 'login');
    assert.deepEqual(seen, [
      { actor: searcher.email, action: 'moderation.trending', petition: p.slug, details: seen[0]?.details ?? '', rows: seen[0]?.rows ?? '' },
      { actor: searcher.email, action: 'moderation.search', petition: p.slug, details: 'filters: none · shown: 8', rows: '8' },
      { actor: searcher.email, action: 'moderation.preview', petition: p.slug, details: 'filters: name [given]', rows: '1' },
      { actor: searcher.email, action: 'moderation.preview', petition: p.slug, details: 'filters: name [given]', rows: '1' },
      { actor: searcher.email, action: 'moderation.search', petition: p.slug, details: 'filters: name [given] · shown: 1', rows: '1' },
      { actor: searcher.email, action: 'moderation.search', petition: p.slug, details: 'filters: email [given], country GB · shown: 1', rows: '1' },
    ]);
    assert.match(seen[0]!.details, /^windowMinutes: \d+ · domains: 2 · ipHashes: 1$/);

    const searches = auditRows((await admin.get('/admin/audit?action=moderation.search')).html).filter((row) => row.actor === searcher.email);
    assert.equal(searches.length, 3, 'the audit page filters searches by their action');

    const stored = JSON.stringify(await stack.database.connection.collection('audit_log').find({}).toArray()).toLowerCase();
    const leaked = [email, `ana.lima.${p.u}`, 'limaverde'].filter((value) => stored.includes(value.toLowerCase()));
    assert.deepEqual(leaked, [], 'no email address or name searched for is in the audit log');
  });

  test('when an analyst is refused a search, then nothing is recorded for them', async () => {
    const p = await givenSignedPetition();
    const analyst = await signedIn(stack, 'analyst');
    assert.equal((await analyst.get(`/admin/api/petitions/${p.slug}/signatures?name=lima`)).status, 403);
    const entries = (await stack.services.audit.latest(100)).filter((e) => e.actor === analyst.email && e.action !== 'login');
    assert.deepEqual(entries, []);
  });
});
