import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import { signedIn, type AdminClient } from './helpers/admin.js';
import { givenPetition } from './helpers/builders.js';
import { givenSignatures, petitionIdOf, type StoredSigner } from './helpers/export-signatures.js';
import { eventually } from './helpers/eventually.js';
import { startStack, type Stack } from './helpers/stack.js';

const HEADER = 'country_code,country_name,first_name,last_name,source,signed_at,collected_where';

describe('signatures CSV export', () => {
  let stack: Stack;
  before(async () => {
    stack = await startStack();
  });
  after(() => stack.stop());

  async function petitionWith(signers: StoredSigner[]) {
    const { slug } = await givenPetition(stack);
    const petitionId = await petitionIdOf(stack.services.connection, slug);
    await givenSignatures(stack.services.connection, stack.services.protector, petitionId, signers);
    return slug;
  }

  /** The body as sent, BOM included (fetch's text() would drop it). */
  const cookieOf = (client: AdminClient) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  async function download(client: AdminClient, path: string) {
    const res = await fetch(`${stack.baseUrl}${path}`, { headers: { cookie: cookieOf(client) }, redirect: 'manual' });
    return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()).toString('utf8') };
  }
  const rowsOf = (body: string): string[][] => parse(body.replace(/^\uFEFF/, ''));
  const sorted = (rows: string[][]) => [...rows].sort((a, b) => a.join('|').localeCompare(b.join('|')));

  test('when an organiser exports, then the CSV has a BOM, the header and exactly the counted online and paper signatures, as consent allows', async () => {
    const slug = await petitionWith([
      { firstName: 'Ayse', lastName: 'Kaya', country: 'TR', createdAt: new Date('2024-05-02T08:30:00.000Z') },
      { firstName: 'Hidden', lastName: 'Person', country: 'FR', hideName: true },
      { firstName: 'Paper', lastName: 'Signer', country: 'DE', source: 'paper', collectedAt: new Date('2024-04-20T12:00:00.000Z'), collectedWhere: 'Berlin, Alexanderplatz' },
      { firstName: 'Pending', lastName: 'Person', status: 'pending' },
      { firstName: 'Invalid', lastName: 'Person', status: 'invalidated' },
    ]);
    const organiser = await signedIn(stack, 'organiser');

    const res = await download(organiser, `/admin/petitions/${slug}/export/signatures.csv`);

    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="?${slug}-signatures-\\d{8}-\\d{4}\\.csv"?$`));
    assert.ok(res.body.startsWith(`\uFEFF${HEADER}\r\n`), 'BOM, then the header, CRLF');
    assert.deepEqual(sorted(rowsOf(res.body).slice(1)), [
      ['DE', 'Germany', 'Paper', 'Signer', 'paper', '2024-04-20T12:00:00.000Z', 'Berlin, Alexanderplatz'],
      ['FR', 'France', '', '', 'online', '2024-05-01T10:00:00.000Z', ''],
      ['TR', 'Türkiye', 'Ayse', 'Kaya', 'online', '2024-05-02T08:30:00.000Z', ''],
    ]);
    for (const secret of ['@example.org', 'SW1A', 'private comment', 'Hidden', 'Pending', 'Invalid']) {
      assert.ok(!res.body.includes(secret), `the export must not contain ${secret}`);
    }
  });

  test('when names start with formula characters, then those cells are prefixed with a quote and others are untouched', async () => {
    const names = ['=HYPERLINK("http://evil.example","click")', '+1', '@SUM(A1:A9)', '-2+3', '\tTabbed', '\r=1+1', '-Ali', 'Jean-Luc', 'a=b'];
    const slug = await petitionWith(names.map((firstName) => ({ firstName, lastName: 'X' })));
    const organiser = await signedIn(stack, 'organiser');

    const res = await download(organiser, `/admin/petitions/${slug}/export/signatures.csv`);

    const firstNames = rowsOf(res.body).slice(1).map((r) => r[2]).sort();
    assert.deepEqual(firstNames, ["'=HYPERLINK(\"http://evil.example\",\"click\")", "'+1", "'@SUM(A1:A9)", "'-2+3", "'\tTabbed", "'\r=1+1", "'-Ali", 'Jean-Luc', 'a=b'].sort());
  });

  test('when cells hold commas, quotes and line breaks, then they are quoted as RFC 4180 says', async () => {
    const slug = await petitionWith([{ firstName: 'Smith, Jr.', lastName: 'O"Brien', source: 'paper', collectedWhere: 'Line one\nLine two' }]);
    const organiser = await signedIn(stack, 'organiser');

    const res = await download(organiser, `/admin/petitions/${slug}/export/signatures.csv`);

    assert.match(res.body, /\r\nGB,United Kingdom,"Smith, Jr\.","O""Brien",paper,[^,]+,"Line one\nLine two"\r\n$/);
  });

  test('when an analyst or nobody asks for signatures, then they are refused and nothing is recorded', async () => {
    const slug = await petitionWith([{ firstName: 'Secret' }]);
    const analyst = await signedIn(stack, 'analyst');
    const before = await stack.services.audit.latest(1000, { action: 'export' });

    const refused = await analyst.get(`/admin/petitions/${slug}/export/signatures.csv`);
    const anonymous = await fetch(`${stack.baseUrl}/admin/petitions/${slug}/export/signatures.csv`, { redirect: 'manual' });

    assert.equal(refused.status, 403);
    assert.ok(!refused.html.includes('Secret'));
    assert.equal(anonymous.status, 303);
    assert.match(anonymous.headers.get('location') ?? '', /^\/admin\/login/);
    assert.equal((await stack.services.audit.latest(1000, { action: 'export' })).length, before.length);
  });

  test('when the reader hangs up early, then the export stops reading and records how far it got', async () => {
    const total = 10_000;
    const slug = await petitionWith(Array.from({ length: total }, (_, i) => ({ firstName: `Signer ${i}` })));
    const organiser = await signedIn(stack, 'organiser');
    const abort = new AbortController();

    const res = await fetch(`${stack.baseUrl}/admin/petitions/${slug}/export/signatures.csv`, { headers: { cookie: cookieOf(organiser) }, signal: abort.signal });
    await res.body!.getReader().read();
    abort.abort();

    const entry = await eventually(async () => (await stack.services.audit.latest(50, { action: 'export' })).find((e) => e.petition === slug), 30_000);
    assert.equal(entry?.details.aborted, true);
    assert.ok((entry?.rows ?? total) < total, `stopped after ${entry?.rows} of ${total} rows`);
  });

  test('when a petition does not exist, then the export answers 404', async () => {
    const admin = await signedIn(stack, 'admin');
    const res = await admin.get('/admin/petitions/no-such-petition/export/signatures.csv');
    assert.equal(res.status, 404);
  });

  test('when an export ends, then the audit log records who exported what and how many rows', async () => {
    const slug = await petitionWith([{ country: 'GB' }, { country: 'FR', source: 'paper' }, { status: 'pending' }]);
    const admin = await signedIn(stack, 'admin');

    await admin.get(`/admin/petitions/${slug}/export/signatures.csv`);

    // The entry is written once the last byte has gone out, so the response can arrive a moment before it.
    const entry = await eventually(async () => (await stack.services.audit.latest(50, { action: 'export' })).find((e) => e.petition === slug));
    assert.ok(entry, 'an audit entry for this petition');
    assert.equal(entry.actor, admin.email);
    assert.equal(entry.rows, 2);
    assert.deepEqual(entry.details, { what: 'signatures', format: 'csv', filters: { status: 'confirmed' } });
  });
});
