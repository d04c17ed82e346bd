import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createSignatureRepository } from '../server/signatures/index.js';
import { csrfFrom, signedIn, type AdminClient } from './helpers/admin.js';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/paper/${name}`, import.meta.url));
const HEADER = 'first_name,last_name,email,country,postcode,collected_at,collected_where';

/** Posts a file the way a browser's multipart form does, with the signed-in client's cookies. */
async function upload(stack: Stack, client: AdminClient, slug: string, file: Uint8Array | string, { csrf }: { csrf?: string | null } = {}) {
  const path = `/admin/petitions/${slug}/import`;
  const form = new FormData();
  if (csrf !== null) form.append('_csrf', csrf ?? csrfFrom((await client.get(path)).html));
  form.append('file', new Blob([typeof file === 'string' ? file : new Uint8Array(file)], { type: 'text/csv' }), 'signatures.csv');
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(new URL(path, stack.baseUrl), { method: 'POST', body: form, headers: { cookie }, redirect: 'manual' });
  return { status: res.status, html: await res.text() };
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
const unescape = (s: string) =>
  s.replace(/&(#x?[0-9a-f]+|amp|lt|gt|quot);/gi, (_, e: string) => ENTITIES[e.toLowerCase()] ?? String.fromCodePoint(e[1] === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10)));
const plain = (inner: string) => unescape(inner.replace(/<[^>]+>/g, '')).replace(/\s+/g, ' ').trim();
/** The text of the element with this id (the same tag must not nest inside it). */
const textById = (html: string, id: string) => {
  const match = new RegExp(`<([a-z0-9]+)\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</\\1>`, 'i').exec(html);
  return match ? plain(match[2] ?? '') : undefined;
};
const itemsOf = (html: string, id: string): string[] => {
  const list = new RegExp(`<ul[^>]*id="${id}"[^>]*>([\\s\\S]*?)</ul>`).exec(html)?.[1] ?? '';
  return [...list.matchAll(/<li[^>]*>([\s\S]*?)<\/li>/g)].map((m) => plain(m[1] ?? ''));
};
const refusal = (html: string) => textById(html, 'import-refused');
const count = (html: string, kind: 'accepted' | 'duplicate' | 'invalid') => textById(html, `${kind}-count`);

async function tallyOf(stack: Stack, slug: string) {
  const petition = await stack.database.connection.collection('petitions').findOne({ slug });
  return stack.services.tallies.read(petition!._id.toHexString(), { fresh: true });
}

describe('paper signature import through the workspace', () => {
  let stack: Stack;
  let organiser: AdminClient;
  before(async () => {
    stack = await startStack();
    organiser = await signedIn(stack, 'organiser');
  });
  after(() => stack.stop());

  const givenOnlineSigner = async (slug: string, email: string) => {
    const res = await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, aSigner({ email }));
    assert.ok(res.status < 300, res.text);
  };

  test('when a file mixes good, duplicate and broken rows, then the report lists each with its line and reason, and paper tallies count the accepted', async () => {
    const { slug } = await givenPetition(stack, { verification: 'none' });
    await givenOnlineSigner(slug, 'online-dup@example.org');

    const res = await upload(stack, organiser, slug, fixture('mixed.csv'));

    assert.equal(res.status, 200);
    assert.equal(count(res.html, 'accepted'), '4 Accepted');
    assert.equal(count(res.html, 'duplicate'), '2 Duplicates');
    assert.equal(count(res.html, 'invalid'), '6 Invalid rows');
    assert.equal(textById(res.html, 'accepted-lines'), '2–3, 11–12');
    assert.deepEqual(itemsOf(res.html, 'duplicate-rows'), [
      'line 4: this email address has already signed (online or in an earlier import)',
      'line 5: same email address as line 2',
    ]);
    assert.deepEqual(itemsOf(res.html, 'invalid-rows'), [
      "line 6: country 'Narnia' is not a country",
      'line 7: email is not a valid address',
      'line 8: first_name is missing',
      'line 9: has 4 columns where the header has 7',
      'line 10: text is not valid UTF-8: save the file as CSV UTF-8',
      'line 14: collected_at 2099-01-01 is in the future',
    ]);

    const tally = await tallyOf(stack, slug);
    assert.equal(tally.paper, 4);
    assert.deepEqual(tally.countries.map(({ code, online, paper }) => ({ code, online, paper })), [
      { code: 'GB', online: 1, paper: 2 },
      { code: 'FR', online: 0, paper: 2 },
    ]);
    assert.equal(tally.total, 5);
    assert.deepEqual(tally.daily.filter((d) => d.day < '2025-12-31'), [
      { day: '2025-03-14', count: 1 },
      { day: '2025-03-15', count: 2 },
      { day: '2025-03-16', count: 1 },
    ]);
    const [entry] = await stack.services.audit.latest(1, { action: 'import.paper' });
    assert.deepEqual({ actor: entry?.actor, petition: entry?.petition, rows: entry?.rows, details: entry?.details }, {
      actor: organiser.email,
      petition: slug,
      rows: 4,
      details: { fileBytes: fixture('mixed.csv').length, accepted: 4, duplicate: 2, invalid: 6 },
    });
  });

  test('when a row has an email, then it is stored under the same one-per-petition key as online signing, as a confirmed paper signature', async () => {
    const { slug } = await givenPetition(stack, { verification: 'email' });
    await upload(stack, organiser, slug, fixture('mixed.csv'));

    const petition = await stack.services.paperImport.petitionFor(slug);
    const id = `${petition.id}:${stack.services.protector.emailHash('amina.paper@example.org')}`;
    const signature = await createSignatureRepository(stack.database.connection, stack.services.protector).findById(id);
    assert.ok(signature, 'stored under <petitionId>:<emailHash>');
    assert.deepEqual(
      { status: signature.status, source: signature.source, verification: signature.verification, consent: signature.consent, ip: signature.ipHash, country: signature.country },
      { status: 'confirmed', source: 'paper', verification: 'email', consent: { updates: false, hideName: false }, ip: null, country: 'GB' },
    );
    assert.equal(signature.domainHash, stack.services.protector.domainHash('example.org'));
    assert.deepEqual(signature.details, { firstName: 'Amina', lastName: 'Yusuf', email: 'amina.paper@example.org', postcode: 'N1 9GU', comment: '' });
    assert.deepEqual([signature.collectedAt, signature.collectedWhere], [new Date('2025-03-14T00:00:00Z'), 'Trafalgar Square, London']);
  });

  test('when the same file is imported twice, then the second time adds nothing: every row is a duplicate and the tallies stay, with no drift', async () => {
    const { slug } = await givenPetition(stack);
    await upload(stack, organiser, slug, fixture('mixed.csv'));
    const before = await tallyOf(stack, slug);

    const again = await upload(stack, organiser, slug, fixture('mixed.csv'));

    assert.equal(count(again.html, 'accepted'), '0 Accepted');
    assert.deepEqual(itemsOf(again.html, 'duplicate-rows'), [
      'line 2: this email address has already signed (online or in an earlier import)',
      'line 3: this row was already imported',
      'line 4: this email address has already signed (online or in an earlier import)',
      'line 5: same email address as line 2',
      'line 11: this row was already imported',
      'line 12: this email address has already signed (online or in an earlier import)',
    ]);
    const afterTally = await tallyOf(stack, slug);
    assert.deepEqual({ ...afterTally, updatedAt: null }, { ...before, updatedAt: null });
    assert.equal(before.paper, 5);
    assert.deepEqual((await stack.services.recount({ fix: false })).drift, []);
  });

  test('when two rows without email look identical, then both count, and only a third copy in a later file adds one more', async () => {
    const row = 'Jean,Dupont,,FR,,2025-03-15,Lyon';
    const { slug } = await givenPetition(stack);
    await upload(stack, organiser, slug, `${HEADER}\n${row}\n${row}\n`);
    const res = await upload(stack, organiser, slug, `${HEADER}\n${row}\n${row}\n${row}\n`);
    assert.equal(textById(res.html, 'accepted-lines'), '4');
    assert.equal((await tallyOf(stack, slug)).paper, 3);
  });

  const refusedCases: [string, Uint8Array | string, number, RegExp][] = [
    ['a UTF-16 file', fixture('utf16.csv'), 415, /saved as UTF-16 .* Save it as “CSV UTF-8”/],
    ['an empty file', '', 422, /The file is empty\./],
    ['a file without the expected header', 'name,email\nAnn,ann@example.org\n', 422, /first_name, last_name, email \(optional\), country, postcode \(optional\), collected_at, collected_where, language \(optional\), updates \(optional\)\. Missing: first_name, last_name, country, collected_at, collected_where\./],
    ['an xlsx workbook', Buffer.concat([Buffer.from('PK\x03\x04'), Buffer.alloc(64, 1)]), 415, /spreadsheet workbook/],
  ];
  for (const [what, file, status, message] of refusedCases) {
    test(`when the upload is ${what}, then it is refused as a whole with ${status} and a clear message, and nothing is imported`, async () => {
      const { slug } = await givenPetition(stack);
      const res = await upload(stack, organiser, slug, file);
      assert.equal(res.status, status);
      assert.match(refusal(res.html) ?? '', message);
      assert.match(refusal(res.html) ?? '', /Nothing was imported\./);
      assert.equal((await tallyOf(stack, slug)).paper, 0);
    });
  }

  test('when a 50 MB file is uploaded under the default 10 MB limit, then it is refused with 413 naming the limit', async () => {
    const { slug } = await givenPetition(stack);
    const big = Buffer.alloc(50 * 1024 * 1024, 'Ann,Lee,,GB,,2025-03-14,Leeds\n');
    const res = await upload(stack, organiser, slug, big);
    assert.equal(res.status, 413);
    assert.match(refusal(res.html) ?? '', /The file is larger than 10 MB/);
    assert.equal((await tallyOf(stack, slug)).paper, 0);
  });

  test('when the CSRF token is missing or wrong, then the upload is refused with 403 and nothing is imported', async () => {
    const { slug } = await givenPetition(stack);
    assert.equal((await upload(stack, organiser, slug, fixture('mixed.csv'), { csrf: null })).status, 403);
    assert.equal((await upload(stack, organiser, slug, fixture('mixed.csv'), { csrf: 'forged' })).status, 403);
    assert.equal((await tallyOf(stack, slug)).paper, 0);
  });

  test('when an analyst opens or posts the import, then both answer 403 and nothing is imported', async () => {
    const { slug } = await givenPetition(stack);
    const analyst = await signedIn(stack, 'analyst');
    assert.equal((await analyst.get(`/admin/petitions/${slug}/import`)).status, 403);
    assert.equal((await upload(stack, analyst, slug, fixture('mixed.csv'), { csrf: csrfFrom((await analyst.get('/admin/password')).html) })).status, 403);
    assert.equal((await tallyOf(stack, slug)).paper, 0);
  });

  test('when the petition is closed, then paper still imports; when it is a draft, then the page and the upload answer 409', async () => {
    const closed = await givenPetition(stack, { status: 'closed' });
    const page = await organiser.get(`/admin/petitions/${closed.slug}/import`);
    assert.equal(page.status, 200);
    assert.match(page.html, /collected_where/);
    assert.equal((await upload(stack, organiser, closed.slug, `${HEADER}\nAnn,Lee,,GB,,2025-03-14,Leeds\n`)).status, 200);
    assert.equal((await tallyOf(stack, closed.slug)).paper, 1);

    const draft = await givenPetition(stack, { status: 'draft' });
    assert.equal((await organiser.get(`/admin/petitions/${draft.slug}/import`)).status, 409);
    const csrf = csrfFrom(page.html);
    assert.equal((await upload(stack, organiser, draft.slug, `${HEADER}\nAnn,Lee,,GB,,2025-03-14,Leeds\n`, { csrf })).status, 409);
    assert.equal((await tallyOf(stack, draft.slug)).paper, 0);
  });
});

describe('paper signature import with IMPORT_MAX_MB=1', () => {
  let stack: Stack;
  let organiser: AdminClient;
  before(async () => {
    stack = await startStack({ IMPORT_MAX_MB: '1' });
    organiser = await signedIn(stack, 'organiser');
  });
  after(() => stack.stop());

  const rows = (n: number) => `${HEADER}\n${Array.from({ length: n }, (_, i) => `Person,Number ${i},,GB,,2025-03-14,Leeds`).join('\n')}\n`;

  test('when a file of 2,500 rows fits the limit, then all are imported across several batches and counted', async () => {
    const { slug } = await givenPetition(stack);
    const res = await upload(stack, organiser, slug, rows(2500));
    assert.equal(count(res.html, 'accepted'), '2,500 Accepted');
    assert.equal((await tallyOf(stack, slug)).paper, 2500);
  });

  test('when a 2 MB file is uploaded, then it is refused with 413 naming the 1 MB limit, and nothing is imported', async () => {
    const { slug } = await givenPetition(stack);
    const file = rows(50_000);
    assert.ok(file.length > 1.8 * 1024 * 1024);
    const res = await upload(stack, organiser, slug, file);
    assert.equal(res.status, 413);
    assert.match(refusal(res.html) ?? '', /The file is larger than 1 MB/);
    assert.equal((await tallyOf(stack, slug)).paper, 0);
  });
});
