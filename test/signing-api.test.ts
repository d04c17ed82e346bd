import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { aSigner, getJson, givenPetition, postJson } from './helpers/builders.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { startStack, type Stack } from './helpers/stack.js';

let stack: Stack;
before(async () => {
  stack = await startStack();
});
after(async () => {
  await stack.stop();
});

const signUrl = (slug: string) => `${stack.baseUrl}/api/v1/petitions/${slug}/signatures`;
const details = (slug: string) => getJson<{ total: number; countries: { code: string; name: string; count: number }[] }>(`${stack.baseUrl}/api/v1/petitions/${slug}`);

describe('signing through the JSON API', () => {
  test('when a person signs, then they get a confirmation email and are counted only after confirming', async () => {
    const petition = await givenPetition(stack);
    const signer = aSigner({ country: 'FR' });

    const res = await postJson(signUrl(petition.slug), signer);
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: 'check-email' });
    await stack.smtp.waitFor(() => stack.smtp.to(signer.email as string).length === 1);
    const mail = stack.smtp.to(signer.email as string)[0]!;
    assert.match(mail.subject, /confirm your signature/i);
    assert.ok(mail.html.includes('/confirm/'), 'the HTML part carries the link');
    assert.equal((await details(petition.slug)).body.total, 0);

    const confirmed = await postJson(`${stack.baseUrl}/api/v1/confirm/${confirmTokenFrom(mail)}`, '');
    assert.equal(confirmed.status, 200);
    assert.deepEqual(confirmed.body, { status: 'confirmed' });
    const after = await details(petition.slug);
    assert.equal(after.body.total, 1);
    assert.deepEqual(after.body.countries, [{ code: 'FR', name: 'France', count: 1 }]);
  });

  test('when a confirmation link is used twice, then the signature still counts once', async () => {
    const petition = await givenPetition(stack);
    const signer = aSigner();
    await postJson(signUrl(petition.slug), signer);
    await stack.smtp.waitFor(() => stack.smtp.to(signer.email as string).length === 1);
    const token = confirmTokenFrom(stack.smtp.to(signer.email as string)[0]!);

    const results = await Promise.all([1, 2, 3].map(() => postJson(`${stack.baseUrl}/api/v1/confirm/${token}`, '')));
    assert.deepEqual(results.map((r) => r.status), [200, 200, 200]);
    assert.equal((await details(petition.slug)).body.total, 1);
  });

  test('when the same person signs again with another spelling of their address, then the answer is identical and they are told by email, at most 3 times', async () => {
    const petition = await givenPetition(stack);
    const first = await postJson(signUrl(petition.slug), aSigner({ email: 'Jane.Doe+news@googlemail.com' }));
    await stack.smtp.waitFor((all) => all.some((m) => m.to === 'jane.doe+news@googlemail.com'));
    const token = confirmTokenFrom(stack.smtp.to('jane.doe+news@googlemail.com')[0]!);
    await postJson(`${stack.baseUrl}/api/v1/confirm/${token}`, '');

    const variants = ['janedoe@gmail.com', 'JANE.DOE@GMAIL.COM', ' jane.doe+x@gmail.com ', 'j.a.n.e.doe@googlemail.com', 'janedoe+again@gmail.com'];
    const repeats = [];
    for (const email of variants) repeats.push(await postJson(signUrl(petition.slug), aSigner({ email })));
    for (const r of repeats) {
      assert.equal(r.status, first.status);
      assert.equal(r.text, first.text);
    }
    await stack.smtp.waitFor(() => stack.smtp.to('jane.doe+news@googlemail.com').length >= 4);
    await new Promise((r) => setTimeout(r, 500));
    // Notices go to the address on file, whichever spelling was typed this time.
    const notices = stack.smtp.to('jane.doe+news@googlemail.com').filter((m) => /already signed/i.test(m.subject));
    assert.equal(notices.length, 3);
    const typed = variants.map((v) => v.trim().toLowerCase());
    assert.deepEqual(stack.smtp.messages.filter((m) => typed.includes(m.to)).map((m) => m.to), [], 'no mail goes to a spelling that is not on file');
    assert.equal((await details(petition.slug)).body.total, 1);
  });

  test('when 100 submissions of one address in its variants arrive at once, then exactly one signature is stored', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const spellings = ['ana.lima@gmail.com', 'analima@gmail.com', 'Ana.Lima+1@googlemail.com', 'ANALIMA+petition@gmail.com'];
    const responses = await Promise.all(Array.from({ length: 100 }, (_, i) => postJson(signUrl(petition.slug), aSigner({ email: spellings[i % spellings.length], country: 'PE' }))));
    assert.deepEqual(unlike(responses, responses[0]!), [], 'every answer is the same 202 as the first');
    const stored = await stack.database.connection.collection('signatures').countDocuments({ emailHash: { $exists: true }, country: 'PE', verification: 'none' });
    const tally = await details(petition.slug);
    assert.equal(tally.body.total, 1);
    assert.ok(stored >= 1);
    const { drift } = await stack.services.recount({ fix: false });
    assert.deepEqual(drift, []);
  });

  test('when 500 people in 50 countries sign and confirm concurrently, each link twice, then the maintained counts equal a recount exactly', async () => {
    await aCrowdSignsAndConfirms(500, 2);
  });

  test('when 2,000 people confirm at the same moment, then every confirmation answers 200 and the counts equal a recount exactly', async () => {
    await aCrowdSignsAndConfirms(2000, 1);
  });

  test('when a petition counts signatures without email verification, then signing answers "signed" and counts at once', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const res = await postJson(signUrl(petition.slug), aSigner({ country: 'SN' }));
    assert.equal(res.status, 202);
    assert.deepEqual(res.body, { status: 'signed' });
    assert.deepEqual((await details(petition.slug)).body.countries, [{ code: 'SN', name: 'Senegal', count: 1 }]);
  });

  test('when a confirmation token is unknown or expired, then the API answers 404 or 410 and counts nothing', async () => {
    const petition = await givenPetition(stack);
    const signer = aSigner();
    await postJson(signUrl(petition.slug), signer);
    await stack.smtp.waitFor(() => stack.smtp.to(signer.email as string).length === 1);
    const signature = await stack.database.connection.collection('confirm_tokens').findOne({}, { sort: { expiresAt: -1 } });
    const expired = await stack.services.tokens.issue(
      { signatureId: String(signature!.signatureId), petitionId: String(signature!.petitionId), country: String(signature!.country) },
      new Date(Date.now() - 1000),
    );

    const unknown = await postJson(`${stack.baseUrl}/api/v1/confirm/${'A'.repeat(43)}`, '');
    assert.equal(unknown.status, 404);
    assert.equal((unknown.body as { error: { code: string } }).error.code, 'token_unknown');
    const gone = await postJson(`${stack.baseUrl}/api/v1/confirm/${expired}`, '');
    assert.equal(gone.status, 410);
    assert.equal((gone.body as { error: { code: string } }).error.code, 'token_expired');
    assert.equal((await details(petition.slug)).body.total, 0);
  });

  test('when a confirmation token expired more than 30 days ago, then maintenance removes it and the link is unknown', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    await postJson(signUrl(petition.slug), aSigner());
    const target = { signatureId: `${petition.slug}:any`, petitionId: 'any', country: 'GB' };
    const oldToken = await stack.services.tokens.issue(target, new Date(Date.now() - 31 * 24 * 3600_000));
    const recentToken = await stack.services.tokens.issue(target, new Date(Date.now() - 1000));
    const { tokensRemoved } = await stack.services.maintenance.runOnce();
    assert.ok(tokensRemoved >= 1);
    assert.equal(await stack.services.tokens.find(oldToken), null);
    assert.notEqual(await stack.services.tokens.find(recentToken), null);
  });

  test('when a petition is closed, then signing is refused with 409 and a clear message', async () => {
    const petition = await givenPetition(stack, { status: 'closed' });
    const res = await postJson(signUrl(petition.slug), aSigner());
    assert.equal(res.status, 409);
    assert.equal((res.body as { error: { code: string } }).error.code, 'petition_closed');
  });
});

describe('reading petitions through the JSON API', () => {
  test('when petitions are listed, then each has slug, title, summary, its language and languages, status, goal and total', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    await postJson(signUrl(petition.slug), aSigner());
    const { status, body } = await getJson<{ data: Record<string, unknown>[] }>(`${stack.baseUrl}/api/v1/petitions`);
    assert.equal(status, 200);
    const row = body.data.find((p) => p.slug === petition.slug);
    assert.deepEqual(row, { slug: petition.slug, title: petition.title, summary: petition.summary, language: 'en', languages: ['en'], status: 'open', goal: petition.goal, total: 1 });
  });

  test('when the count is read, then it has total and updatedAt and may be cached briefly', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    await postJson(signUrl(petition.slug), aSigner({ country: 'FI' }));
    const { status, body, headers } = await getJson<{ total: number; updatedAt: string }>(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/count`);
    assert.equal(status, 200);
    assert.equal(body.total, 1);
    assert.ok(!Number.isNaN(Date.parse(body.updatedAt)));
    assert.match(headers.get('cache-control') ?? '', /max-age=\d{1,2}\b/);
  });

  test('when a petition does not exist, then the API answers 404 with an error object', async () => {
    const { status, body } = await getJson<{ error: { code: string; message: string } }>(`${stack.baseUrl}/api/v1/petitions/no-such-petition`);
    assert.equal(status, 404);
    assert.equal(body.error.code, 'petition_not_found');
  });
});

const COUNTRIES = ['GB', 'FR', 'DE', 'ES', 'PT', 'NL', 'FI', 'SE', 'NO', 'DK', 'IE', 'IT', 'PL', 'CZ', 'AT', 'CH', 'BE', 'LU', 'GR', 'TR',
  'US', 'CA', 'MX', 'BR', 'AR', 'PE', 'CL', 'CO', 'SN', 'NG', 'KE', 'ZA', 'EG', 'MA', 'JP', 'KR', 'TW', 'ID', 'MY', 'AU',
  'NZ', 'IN', 'PK', 'KZ', 'KG', 'UZ', 'SA', 'AE', 'QA', 'IL'];

/** A request's answer, or how it failed to get one (status 0), so that a failure names its cause. */
const attempt = (url: string, body: unknown) =>
  postJson(url, body).catch((error: Error & { cause?: { code?: string; message?: string } }) => ({
    status: 0,
    body: null,
    text: `${error.message}: ${error.cause?.code ?? error.cause?.message ?? 'no cause'}`,
  }));

/** The answers that differ from `expected` in status or body, each named by its position: what a failure shows. */
function unlike(responses: { status: number; text: string }[], expected: { status: number; text: string }): string[] {
  return responses.flatMap((r, i) => (r.status === expected.status && r.text === expected.text ? [] : [`#${i}: ${r.status} ${r.text.slice(0, 200)}`]));
}

/**
 * `people` sign at once in 50 countries, then every confirmation link is posted `clicks` times, all at
 * once. Every request must succeed, and the counts must be exact.
 */
async function aCrowdSignsAndConfirms(people: number, clicks: number) {
  const petition = await givenPetition(stack);
  const signers = Array.from({ length: people }, (_, i) => aSigner({ email: `crowd-${i}-${petition.slug}@example.org`, country: COUNTRIES[i % 50] }));
  const signed = await Promise.all(signers.map((s) => attempt(signUrl(petition.slug), s)));
  assert.deepEqual(unlike(signed, { status: 202, text: JSON.stringify({ status: 'check-email' }) }), [], 'every signature is acknowledged');
  const emails = new Set(signers.map((s) => s.email as string));
  await stack.smtp.waitFor((all) => new Set(all.map((m) => m.to).filter((to) => emails.has(to))).size === people, 120_000);

  const tokens = signers.map((s) => confirmTokenFrom(stack.smtp.to(s.email as string)[0]!));
  const links = Array.from({ length: clicks }, () => tokens).flat();
  const confirmations = await Promise.all(links.map((t) => attempt(`${stack.baseUrl}/api/v1/confirm/${t}`, '')));
  assert.deepEqual(unlike(confirmations, { status: 200, text: JSON.stringify({ status: 'confirmed' }) }), [], 'every confirmation answers 200');

  const result = await details(petition.slug);
  assert.equal(result.body.total, people);
  const perCountry = people / 50;
  assert.deepEqual(
    result.body.countries.filter((c) => c.count !== perCountry).map((c) => `${c.code}: ${c.count}`),
    [],
    `every one of the 50 countries counts ${perCountry}`,
  );
  assert.equal(result.body.countries.length, 50);
  const { drift } = await stack.services.recount({ fix: false });
  assert.deepEqual(drift, []);
}
