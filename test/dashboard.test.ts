import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { COUNTRY_CODES } from '../server/countries/countries.js';
import { NO_SIGNATURES } from '../server/dashboard/map-colours.js';
import { counter } from '../server/tallies/tally-service.js';
import { signedIn, type AdminClient } from './helpers/admin.js';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';
import { textOf } from './helpers/web-client.js';

let stack: Stack;
let admin: AdminClient;
let analyst: AdminClient;
before(async () => {
  stack = await startStack();
  admin = await signedIn(stack, 'admin');
  analyst = await signedIn(stack, 'analyst');
});
after(async () => {
  await stack.stop();
});

const daysAgo = (n: number) => new Date(Date.now() - n * 86_400_000);
const petitionId = async (slug: string) => (await stack.services.petitionAdmin.list()).find((p) => p.slug === slug)!.id;

/** 40 FR, 25+5 DE, 12 paper KE, 3 AT seeded in the tally, plus 2 real GB signatures today. */
async function givenCountedPetition() {
  const petition = await givenPetition(stack, { verification: 'none', goal: 200 });
  const id = await petitionId(petition.slug);
  await stack.services.tallies.change(id, {
    [counter.confirmed('FR')]: 40, [counter.confirmed('DE')]: 25, [counter.paper('DE')]: 5, [counter.paper('KE')]: 12, [counter.confirmed('AT')]: 3,
    [counter.pending]: 7, [counter.invalidated]: 2, [counter.day(daysAgo(4))]: 50, [counter.day(daysAgo(2))]: 35,
    [counter.ref('spring')]: 9, [counter.source('news.example.org')]: 4,
  });
  for (let i = 0; i < 2; i++) {
    const res = await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, aSigner({ country: 'GB', ref: 'mail1', referrer: 'blog.example.net' }));
    assert.equal(res.status, 202, res.text);
  }
  return { ...petition, id };
}

const rowCodes = (html: string) => [...html.matchAll(/<tr data-country="([A-Z]{2})">/g)].map((m) => m[1]);
const stat = (html: string, id: string) => textOf(html, new RegExp(`<li id="${id}"><strong>`));

const lastExport = async (slug: string) => {
  const entry = (await stack.services.audit.latest(100, { action: 'export' })).find((e) => e.petition === slug);
  return entry && { actor: entry.actor, details: entry.details, rows: entry.rows };
};

/** The raw bytes: fetch's text() would silently drop a byte-order mark. */
async function download(client: AdminClient, path: string) {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(`${stack.baseUrl}${path}`, { headers: { cookie } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

describe('petition dashboard', () => {
  test('when an admin opens it, then it shows the totals, goal progress, every country with its share, refs and sources', async () => {
    const p = await givenCountedPetition();
    const { status, html } = await admin.get(`/admin/petitions/${p.slug}`);
    assert.equal(status, 200);
    assert.deepEqual(
      ['total-counted', 'total-confirmed', 'total-paper', 'total-pending', 'total-invalidated'].map((id) => stat(html, id)),
      ['87', '70', '17', '7', '2'],
    );
    assert.match(html, /<progress id="goal-progress" max="200" value="87">/);
    assert.equal(textOf(html, /<span id="goal-text">/), '87 of 200 (43.5%)');
    assert.deepEqual(rowCodes(html), ['FR', 'DE', 'KE', 'AT', 'GB']);
    assert.match(html, /<tr data-country="DE"><td>DE<\/td><td>Germany<\/td><td class="num">25<\/td><td class="num">5<\/td><td class="num">30<\/td><td class="num">34\.5%<\/td><\/tr>/);
    for (const text of ['spring', 'mail1', 'news.example.org', 'blog.example.net']) assert.ok(html.includes(`<td>${text}</td>`), text);
  });

  test('when sorting by each column both ways, then the rows follow, the sorted header carries aria-sort and its link flips the direction', async () => {
    const p = await givenCountedPetition();
    const expected: Record<string, string[]> = {
      'count&dir=desc': ['FR', 'DE', 'KE', 'AT', 'GB'],
      'count&dir=asc': ['GB', 'AT', 'KE', 'DE', 'FR'],
      'name&dir=asc': ['AT', 'FR', 'DE', 'KE', 'GB'],
      'name&dir=desc': ['GB', 'KE', 'DE', 'FR', 'AT'],
      'code&dir=asc': ['AT', 'DE', 'FR', 'GB', 'KE'],
      'code&dir=desc': ['KE', 'GB', 'FR', 'DE', 'AT'],
    };
    for (const [query, order] of Object.entries(expected)) {
      const res = await admin.get(`/admin/petitions/${p.slug}?sort=${query}`);
      assert.equal(res.status, 200);
      const html = res.html.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&');
      assert.deepEqual(rowCodes(html), order, query);
      const [key, dir] = query.split('&dir=') as [string, string];
      const flipped = dir === 'asc' ? 'desc' : 'asc';
      assert.match(html, new RegExp(`<th scope="col"[^>]* aria-sort="${dir}ending"><a href="\\?sort=${key}&dir=${flipped}#countries">`), query);
      assert.equal([...html.matchAll(/aria-sort=/g)].length, 1);
    }
    assert.equal((await admin.get(`/admin/petitions/${p.slug}?sort=email`)).status, 400);
  });

  test('when it shows the map and the chart, then countries with signatures are coloured with their count in a title, and there is one bar per day', async () => {
    const p = await givenCountedPetition();
    const { html } = await admin.get(`/admin/petitions/${p.slug}`);
    const map = /<svg [^>]*class="world-map"[^>]*role="img" aria-label="[^"]+"[\s\S]*?<\/svg>/.exec(html)?.[0] ?? '';
    const country = (code: string) => new RegExp(`fill="(#[0-9a-f]{6})" data-country="${code}"><title>([^<]*)</title>`).exec(map);
    assert.equal(country('FR')?.[2], 'France: 40 signatures');
    assert.notEqual(country('FR')?.[1], NO_SIGNATURES);
    assert.notEqual(country('FR')?.[1], country('GB')?.[1], 'more signatures, another class');
    assert.equal(country('IT')?.[1], NO_SIGNATURES);
    assert.equal(country('IT')?.[2], 'Italy: 0 signatures');
    const bars = [...html.matchAll(/<rect class="bar"[^>]*><title>([^<]*)<\/title>/g)].map((m) => m[1]);
    const day = (n: number) => daysAgo(n).toISOString().slice(0, 10);
    assert.deepEqual(bars, [`${day(4)}: 50 signatures`, `${day(3)}: 0 signatures`, `${day(2)}: 35 signatures`, `${day(1)}: 0 signatures`, `${day(0)}: 2 signatures`]);
    assert.doesNotMatch(html, /(src|href)="https?:/);
  });

  test('when the petition is a draft, then the dashboard still opens; an unknown slug is a 404', async () => {
    const draft = await givenPetition(stack, { status: 'draft' });
    const { status, html } = await admin.get(`/admin/petitions/${draft.slug}`);
    assert.equal(status, 200);
    assert.match(html, /No signatures counted yet/);
    assert.equal((await admin.get('/admin/petitions/no-such-petition')).status, 404);
  });

  test('when an analyst opens it, then they see figures and count exports but no link to signatures, editing or moderation', async () => {
    const p = await givenCountedPetition();
    const { status, html } = await analyst.get(`/admin/petitions/${p.slug}`);
    assert.equal(status, 200);
    assert.ok(html.includes(`/admin/petitions/${p.slug}/export/counts.csv`));
    assert.ok(html.includes(`/admin/petitions/${p.slug}/export/counts.json`));
    for (const hidden of ['/exports"', '/export/signatures.csv', '/edit', '/signatures"', '/trending', '/import']) assert.ok(!html.includes(hidden), hidden);
    assert.equal((await download(analyst, `/admin/petitions/${p.slug}/export/counts.csv`)).status, 200);
    const adminPage = (await admin.get(`/admin/petitions/${p.slug}`)).html;
    for (const shown of ['/exports"', '/edit', '/signatures"', '/trending', '/import']) assert.ok(adminPage.includes(shown), shown);
  });

  test('when a petition has a million signatures over every country and a year of days, then the dashboard shows every country and the last 180 days from the counters alone', async () => {
    const petition = await givenPetition(stack);
    const id = await petitionId(petition.slug);
    const codes = [...COUNTRY_CODES];
    const each = Math.floor(1_000_000 / codes.length);
    const changes: Record<string, number> = Object.fromEntries(codes.map((code, i) => [counter.confirmed(code), each + (i === 0 ? 1_000_000 - each * codes.length : 0)]));
    for (let d = 0; d < 400; d++) changes[counter.day(daysAgo(d))] = 2500;
    await stack.services.tallies.change(id, changes);
    // Its speed at this size is measured by `npm run bench:export` (dashboard_ms), not here.
    const { status, html } = await admin.get(`/admin/petitions/${petition.slug}`);
    assert.equal(status, 200);
    assert.equal(stat(html, 'total-counted'), '1,000,000');
    assert.equal(rowCodes(html).length, codes.length);
    assert.equal([...html.matchAll(/<rect class="bar"/g)].length, 180);
    assert.match(html, /Only the last 180 days are shown/);
  });
});

describe('counts export and dashboard API', () => {
  test('when counts are exported as CSV, then the file has a BOM, the header, the tally’s exact numbers by total, and an audit entry', async () => {
    const p = await givenCountedPetition();
    const { status, headers, bytes } = await download(admin, `/admin/petitions/${p.slug}/export/counts.csv`);
    assert.equal(status, 200);
    assert.match(headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    assert.match(headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="?${p.slug}-counts-\\d{8}-\\d{4}\\.csv"?$`));
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf]);
    const lines = bytes.subarray(3).toString('utf8').split('\r\n');
    assert.deepEqual(lines, ['country_code,country_name,confirmed,paper,total', 'FR,France,40,0,40', 'DE,Germany,25,5,30', 'KE,Kenya,0,12,12', 'AT,Austria,3,0,3', 'GB,United Kingdom,2,0,2', '']);
    const tally = await stack.services.tallies.read(p.id, { fresh: true });
    assert.deepEqual(lines.slice(1, -1).map((l) => l.split(',')).map(([code, , confirmed, paper, total]) => ({ code, online: Number(confirmed), paper: Number(paper), count: Number(total) })), tally.countries);
    assert.deepEqual(await lastExport(p.slug), { actor: admin.email, details: { what: 'counts', format: 'csv' }, rows: 5 });
  });

  test('when counts are exported as JSON by an analyst, then it has the petition, the time, the totals and every country, and is audited', async () => {
    const p = await givenCountedPetition();
    const { status, headers, bytes } = await download(analyst, `/admin/petitions/${p.slug}/export/counts.json`);
    assert.equal(status, 200);
    assert.match(headers.get('content-disposition') ?? '', /^attachment; filename="?.+-counts-\d{8}-\d{4}\.json"?$/);
    const body = JSON.parse(bytes.toString('utf8')) as { petition: unknown; generatedAt: string; totals: unknown; countries: unknown[] };
    assert.deepEqual(body.petition, { slug: p.slug, title: p.title });
    assert.ok(Math.abs(Date.parse(body.generatedAt) - Date.now()) < 60_000);
    assert.deepEqual(body.totals, { confirmed: 70, paper: 17, total: 87, countries: 5 });
    assert.deepEqual(body.countries[1], { code: 'DE', name: 'Germany', confirmed: 25, paper: 5, total: 30 });
    assert.deepEqual(await lastExport(p.slug), { actor: analyst.email, details: { what: 'counts', format: 'json' }, rows: 5 });
  });

  test('when an unknown petition is exported, then it is a 404 and nothing is audited', async () => {
    assert.equal((await download(admin, '/admin/petitions/no-such-petition/export/counts.csv')).status, 404);
    assert.equal(await lastExport('no-such-petition'), undefined);
  });

  test('when the JSON API is asked, then a signed-in user gets the same figures and an anonymous one a 401', async () => {
    const p = await givenCountedPetition();
    const res = await analyst.get(`/admin/api/petitions/${p.slug}/dashboard`);
    assert.equal(res.status, 200);
    const body = JSON.parse(res.html) as Record<string, unknown> & { countries: unknown[]; daily: unknown[] };
    assert.deepEqual(body.totals, { confirmed: 70, invalidated: 2, paper: 17, total: 87 }, 'no "awaiting confirmation" for an analyst');
    assert.deepEqual(body.countries[0], { code: 'FR', name: 'France', online: 40, paper: 0, total: 40 });
    assert.equal(body.daily.length, 3);
    assert.deepEqual(body.refs, [{ code: 'spring', count: 9 }, { code: 'mail1', count: 2 }]);
    assert.deepEqual(body.sources, [{ host: 'news.example.org', count: 4 }, { host: 'blog.example.net', count: 2 }]);
    assert.equal(typeof body.updatedAt, 'string');

    assert.deepEqual((JSON.parse((await admin.get(`/admin/api/petitions/${p.slug}/dashboard`)).html) as typeof body).totals, { confirmed: 70, pending: 7, invalidated: 2, paper: 17, total: 87 });

    const anonymous = await fetch(`${stack.baseUrl}/admin/api/petitions/${p.slug}/dashboard`, { redirect: 'manual' });
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as { error: { code: string } }).error.code, 'unauthenticated');
    assert.equal((await admin.get('/admin/api/petitions/no-such-petition/dashboard')).status, 404);
  });

  test('when each role opens the dashboard, its JSON and the counts export, then only organisers and admins see "awaiting confirmation"', async () => {
    const p = await givenCountedPetition();
    const organiser = await signedIn(stack, 'organiser');
    const seen: Record<string, boolean[]> = {};
    for (const [role, client] of Object.entries({ analyst, organiser, admin })) {
      const page = (await client.get(`/admin/petitions/${p.slug}`)).html;
      const json = JSON.parse((await client.get(`/admin/api/petitions/${p.slug}/dashboard`)).html) as { totals: Record<string, number> };
      const exported = (await download(client, `/admin/petitions/${p.slug}/export/counts.json`)).bytes.toString('utf8');
      seen[role] = [page.includes('id="total-pending"'), 'pending' in json.totals, exported.includes('pending')];
    }
    assert.deepEqual(seen, { analyst: [false, false, false], organiser: [true, true, false], admin: [true, true, false] });
  });
});
