import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { parse } from 'csv-parse/sync';
import type { JobStatus } from '../server/shared/progress.js';
import { signedIn, type AdminClient } from './helpers/admin.js';
import { aSigner, givenPetition, postJson, type Signer } from './helpers/builders.js';
import { eventually } from './helpers/eventually.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { stackPerFile, type Stack } from './helpers/stack.js';

// Organisers read the signers' comments through a comments export: the words, when, where and in
// which language, never who wrote them.

const HEADER = 'signed_at,country_code,country_name,language,comment';
const FORMULA = '=HYPERLINK("http://evil.example","click")';
const MULTILINE = 'Line one, with a comma\nLine two "quoted"';

let stack: Stack;
stackPerFile((started) => (stack = started));

/** A signer who signed through the API in `lang`, with their own name, and confirmed by the emailed link when `confirm`. */
async function signed(slug: string, overrides: Record<string, unknown>, { confirm = true, lang = 'en' } = {}): Promise<Signer> {
  const signer = aSigner({ firstName: `First${Math.random().toString(36).slice(2, 8)}`, lastName: `Last${Math.random().toString(36).slice(2, 8)}`, ...overrides }) as Signer;
  const res = await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures?lang=${lang}`, signer);
  assert.equal(res.status, 202, res.text);
  if (confirm) {
    await stack.smtp.waitFor(() => stack.smtp.to(signer.email).length >= 1);
    const token = confirmTokenFrom(stack.smtp.to(signer.email)[0]!);
    assert.equal((await postJson(`${stack.baseUrl}/api/v1/confirm/${token}`, '')).status, 200);
  }
  return signer;
}

const exportsPage = (slug: string) => `/admin/petitions/${slug}/exports`;
const cookieOf = (client: AdminClient) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');

/** Asks for an export from the exports page, waits for it through the status endpoint, and downloads it as sent (BOM included). */
async function exported(client: AdminClient, slug: string, form: Record<string, string>) {
  const started = await client.submit(exportsPage(slug), form, exportsPage(slug));
  assert.equal(started.status, 303, started.html);
  const location = started.headers.get('location') ?? '';
  const id = /#export-(ex_[0-9a-f]+)$/.exec(location)?.[1];
  assert.ok(id, `the redirect names the export: ${location}`);
  const status = await eventually(async () => {
    const res = await client.get(`/admin/api/petitions/${slug}/exports/${id}`);
    assert.equal(res.status, 200, res.html);
    const answer = JSON.parse(res.html) as JobStatus;
    return answer.state === 'building' ? undefined : answer;
  }, 60_000);
  assert.equal(status?.state, 'ready', JSON.stringify(status));
  const res = await fetch(`${stack.baseUrl}${exportsPage(slug)}/${id}.${form.format}`, { headers: { cookie: cookieOf(client) } });
  return { id, status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()).toString('utf8') };
}

const rowsOf = (csv: string): string[][] => parse(csv.replace(/^\uFEFF/, ''));
const byComment = (a: string[], b: string[]) => a.at(-1)!.localeCompare(b.at(-1)!);
const ISO_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('comments export', () => {
  let slug: string;
  let organiser: AdminClient;
  /** Everyone who signed this file's petitions: none of their names or addresses may appear in an export. */
  const signers: Signer[] = [];

  before(async () => {
    slug = (await givenPetition(stack)).slug;
    const other = (await givenPetition(stack)).slug;
    organiser = await signedIn(stack, 'organiser');
    signers.push(
      await signed(slug, { country: 'FR', comment: 'Libérez-les maintenant' }, { lang: 'fr' }),
      await signed(slug, { country: 'GB', comment: FORMULA }),
      await signed(slug, { country: 'TR', comment: MULTILINE }, { lang: 'ar' }),
      await signed(slug, { country: 'GB' }),
      await signed(slug, { country: 'DE', comment: 'Pending words' }, { confirm: false }),
      await signed(other, { country: 'GB', comment: 'Other petition words' }),
    );
    const invalidated = await signed(slug, { country: 'ES', comment: 'Invalidated words' });
    signers.push(invalidated);
    const run = await organiser.submit(`/admin/petitions/${slug}/invalidate`, { email: invalidated.email, expected: '1', confirm: 'yes' }, `/admin/petitions/${slug}/signatures`);
    assert.equal(run.status, 200, run.html);
  });

  test('when an organiser prepares a comments CSV, then it lists exactly the counted signatures’ comments of this petition, with no name or email', async () => {
    const res = await exported(organiser, slug, { kind: 'comments', format: 'csv' });

    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    assert.match(res.headers.get('content-disposition') ?? '', new RegExp(`^attachment; filename="?${slug}-comments-\\d{8}-\\d{4}\\.csv"?$`));
    assert.ok(res.body.startsWith(`\uFEFF${HEADER}\r\n`), `BOM, then the header: ${JSON.stringify(res.body.slice(0, 80))}`);
    const rows = rowsOf(res.body).slice(1);
    const badTimes = rows.filter((r) => !ISO_TIME.test(r[0]!)).map((r) => r[0]);
    assert.deepEqual(badTimes, []);
    assert.deepEqual(rows.map((r) => r.slice(1)).sort(byComment), [
      ['GB', 'United Kingdom', 'en', `'${FORMULA}`],
      ['FR', 'France', 'fr', 'Libérez-les maintenant'],
      ['TR', 'Türkiye', 'ar', MULTILINE],
    ].sort(byComment));
    const leaked = signers.flatMap((s) => [s.firstName, s.lastName, s.email] as string[]).filter((secret) => res.body.includes(secret));
    assert.deepEqual(leaked, []);
  });

  test('when a comment starts with a formula, then the CSV cell is prefixed with a quote so no spreadsheet runs it', async () => {
    const res = await exported(organiser, slug, { kind: 'comments', format: 'csv' });

    const cells = rowsOf(res.body).flat();
    assert.ok(cells.includes(`'${FORMULA}`), `the neutralised cell is there: ${JSON.stringify(cells)}`);
    const live = cells.filter((cell) => /^[=+\-@]/.test(cell));
    assert.deepEqual(live, []);
  });

  test('when an organiser prepares a comments JSON, then each comment is an object keyed by the columns, its text as written', async () => {
    const res = await exported(organiser, slug, { kind: 'comments', format: 'json' });

    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json; charset=utf-8/);
    const records = JSON.parse(res.body) as Record<string, string>[];
    assert.deepEqual(records.map((r) => Object.keys(r)), records.map(() => HEADER.split(',')));
    assert.deepEqual(records.map((r) => r.comment).sort(), [FORMULA, 'Libérez-les maintenant', MULTILINE].sort());
  });

  test('when an organiser opens the exports page, then it offers the comments export beside the signatures export', async () => {
    const page = await organiser.get(exportsPage(slug));

    assert.equal(page.status, 200);
    assert.match(page.html, /<section id="export-comments">/);
    assert.match(page.html, /<section id="export-signatures">/);
    assert.match(page.html, /<input type="hidden" name="kind" value="comments">/);
  });

  test('when an analyst asks for the comments, then the page, the export and its status are refused with 403 and nothing is recorded', async () => {
    const { id } = await exported(organiser, slug, { kind: 'comments', format: 'csv' });
    const analyst = await signedIn(stack, 'analyst');
    const before = await stack.services.audit.latest(1000, { action: 'export' });

    const refused = [
      (await analyst.get(exportsPage(slug))).status,
      (await analyst.submit(exportsPage(slug), { kind: 'comments', format: 'csv' })).status,
      (await analyst.get(`/admin/api/petitions/${slug}/exports/${id}`)).status,
    ];

    assert.deepEqual(refused, [403, 403, 403]);
    assert.equal((await stack.services.audit.latest(1000, { action: 'export' })).length, before.length);
  });

  test('when an organiser asks for an unknown kind or format, then a 400 names the field', async () => {
    const kind = await organiser.submit(exportsPage(slug), { kind: 'emails', format: 'csv' }, exportsPage(slug));
    const format = await organiser.submit(exportsPage(slug), { kind: 'comments', format: 'xlsx' }, exportsPage(slug));

    assert.deepEqual([kind.status, format.status], [400, 400]);
    assert.match(kind.html, /kind must be one of signatures, comments/);
    assert.match(format.html, /format must be one of csv, json/);
  });

  test('when an organiser downloads a comments export, then the audit log records who, which petition and how many comments', async () => {
    const admin = await signedIn(stack, 'admin');

    const { id } = await exported(admin, slug, { kind: 'comments', format: 'csv' });

    // The download is recorded once its last byte has gone out, so the response can arrive a moment before it.
    const exportsBy = async () => (await stack.services.audit.latest(200)).filter((e) => e.actor === admin.email && e.action.startsWith('export'));
    const mine = await eventually(async () => ((await exportsBy()).length >= 2 ? exportsBy() : undefined));
    const entries = (mine ?? []).map(({ action, petition, rows, details }) => ({ action, petition, rows, details })).sort((a, b) => a.action.localeCompare(b.action));
    assert.deepEqual(entries, [
      { action: 'export', petition: slug, rows: 3, details: { what: 'comments', format: 'csv', filters: { status: 'confirmed' } } },
      { action: 'export.download', petition: slug, rows: 3, details: { what: 'comments', format: 'csv', exportId: id } },
    ]);
  });
});
