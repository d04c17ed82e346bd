import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { signedIn, type AdminClient } from './helpers/admin.js';
import { aSigner, getJson, givenPetition, postJson } from './helpers/builders.js';
import { confirmTokenFrom } from './helpers/smtp.js';
import { startStack, type Stack } from './helpers/stack.js';

// Issue 13, finding 1, tried as it was found: sign with someone's address, then read the counts.
// This stack publishes the counts of petitions without verification hourly (the default), where
// every other test stack publishes them at once; a publication is run here by hand, as the
// maintenance loop would run it in a later hour.

let stack: Stack;
let analyst: AdminClient;
let organiser: AdminClient;
before(async () => {
  stack = await startStack({ UNVERIFIED_COUNTS_PUBLISH_MINUTES: '60' });
  analyst = await signedIn(stack, 'analyst');
  organiser = await signedIn(stack, 'organiser');
});
after(async () => {
  await stack.stop();
});

const unique = () => randomBytes(4).toString('hex');
const HOUR = 3600_000;
let hoursAhead = 0;
/** The maintenance loop's publication, as it runs in the next hour. */
const publish = () => stack.services.publishedCounts.publishDue(new Date(Date.now() + ++hoursAhead * HOUR));

const sign = async (slug: string, signer: Record<string, unknown>) => {
  const res = await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, signer);
  assert.equal(res.status, 202, res.text);
  return res.body;
};

type Details = { total: number; countries: { code: string; count: number }[] };
/** What an attacker reads: the petition's total and Tuvalu's count, from the public API. */
async function publicCounts(slug: string) {
  const { body } = await getJson<Details>(`${stack.baseUrl}/api/v1/petitions/${slug}`);
  const count = await getJson<{ total: number }>(`${stack.baseUrl}/api/v1/petitions/${slug}/count`);
  return { total: body.total, countTotal: count.body.total, tuvalu: body.countries.find((c) => c.code === 'TV')?.count ?? 0 };
}

const petitionId = async (slug: string) => (await stack.services.petitionAdmin.list()).find((p) => p.slug === slug)!.id;

type DashboardJson = { totals: Record<string, number>; countries: { code: string; total: number }[]; refs: { code: string; count: number }[]; sources: unknown[]; daily: unknown[] };
const dashboardOf = async (client: AdminClient, slug: string) => JSON.parse((await client.get(`/admin/api/petitions/${slug}/dashboard`)).html) as DashboardJson;
/** Every figure an analyst's dashboard shows (its `updatedAt` moves with any write, new or repeat alike). */
const figures = ({ totals, countries, refs, sources, daily }: DashboardJson) => ({ totals, countries, refs, sources, daily });

describe('counts that anyone can read do not tell whether an address had signed', () => {
  test('when an attacker signs a petition without verification with an address that had signed, then with a new one, each from Tuvalu, then the public counts move in neither case until published, and are exact after', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const victim = aSigner({ country: 'GB' });
    await sign(petition.slug, victim);
    await sign(petition.slug, aSigner({ country: 'FR' }));
    await publish();
    const before = await publicCounts(petition.slug);
    assert.deepEqual(before, { total: 2, countTotal: 2, tuvalu: 0 });

    assert.deepEqual(await sign(petition.slug, { ...aSigner({ country: 'TV' }), email: victim.email }), { status: 'signed' });
    const afterRepeat = await publicCounts(petition.slug);
    assert.deepEqual(await sign(petition.slug, aSigner({ country: 'TV' })), { status: 'signed' });
    const afterNew = await publicCounts(petition.slug);
    assert.deepEqual({ afterRepeat, afterNew }, { afterRepeat: before, afterNew: before }, 'the counts read do not move, whether the address had signed or not');
    const analystView = figures(await dashboardOf(analyst, petition.slug));
    assert.equal(analystView.totals.total, 2, 'an analyst sees the published counts too');
    assert.equal((await dashboardOf(organiser, petition.slug)).totals.total, 3, 'an organiser sees live counts');

    await publish();
    const published = await publicCounts(petition.slug);
    assert.deepEqual(published, { total: 3, countTotal: 3, tuvalu: 1 });
    const live = await stack.services.tallies.read(await petitionId(petition.slug), { fresh: true });
    const { body } = await getJson<Details>(`${stack.baseUrl}/api/v1/petitions/${petition.slug}`);
    assert.deepEqual(body.countries.map(({ code, count }) => ({ code, count })), live.countries.map(({ code, count }) => ({ code, count })), 'the published counts equal the live ones');
    assert.deepEqual((await stack.services.recount({ fix: false })).drift, [], 'and the live ones equal a recount');
  });

  test('when the public page of a petition without verification is shown, then it says when its counts were published and how often; the organiser is told that their dashboard is live', async () => {
    const petition = await givenPetition(stack, { verification: 'none' });
    const unpublished = await (await fetch(`${stack.baseUrl}/petitions/${petition.slug}`)).text();
    assert.match(unpublished, /<p class="hint" id="counts-note">Counts of this petition are updated every hour; the first update is due/);
    await publish();
    const page = await (await fetch(`${stack.baseUrl}/petitions/${petition.slug}`)).text();
    assert.match(page, /<p class="hint" id="counts-note">Counts of this petition are updated every hour; these are as of [^<]*\d\d:\d\d UTC\.<\/p>/);
    assert.match((await analyst.get(`/admin/petitions/${petition.slug}`)).html, /id="counts-note">Counts of this petition are updated every hour; these are as of/);
    assert.match((await organiser.get(`/admin/petitions/${petition.slug}`)).html, /id="counts-note">Live counts, seen by organisers and admins only\./);

    const verified = await givenPetition(stack);
    assert.doesNotMatch(await (await fetch(`${stack.baseUrl}/petitions/${verified.slug}`)).text(), /counts-note/, 'a verified petition shows live counts');
  });

  test('when an analyst signs a verified petition with addresses and refs of their own, then their dashboard shows neither the refs nor a pending count, whether the address had signed or not; once its owner confirms, a ref counts once', async () => {
    const petition = await givenPetition(stack);
    const pendingVictim = aSigner();
    const confirmedVictim = aSigner();
    await sign(petition.slug, pendingVictim);
    await sign(petition.slug, confirmedVictim);
    await stack.smtp.waitFor(() => stack.smtp.to(confirmedVictim.email as string).length === 1);
    assert.equal((await postJson(`${stack.baseUrl}/api/v1/confirm/${confirmTokenFrom(stack.smtp.to(confirmedVictim.email as string)[0]!)}`, '')).status, 200);
    const newcomer = aSigner();

    const probes: Record<string, string> = {};
    for (const [name, victim] of Object.entries({ pendingVictim, confirmedVictim, newcomer })) {
      const before = await dashboardOf(analyst, petition.slug);
      probes[name] = `probe-${unique()}`;
      await sign(petition.slug, { ...aSigner({ country: 'TV', ref: probes[name], referrer: `${unique()}.example.net` }), email: victim.email });
      const afterJson = await dashboardOf(analyst, petition.slug);
      const afterHtml = (await analyst.get(`/admin/petitions/${petition.slug}`)).html;
      assert.deepEqual(figures(afterJson), figures(before), `${name}: nothing the analyst reads moved`);
      assert.equal('pending' in afterJson.totals, false, `${name}: no pending count in the JSON`);
      assert.deepEqual([afterHtml.includes(probes[name]), afterHtml.includes('total-pending')], [false, false], `${name}: neither the ref nor a pending count on the page`);
    }
    assert.equal(typeof (await dashboardOf(organiser, petition.slug)).totals.pending, 'number', 'organisers still see awaiting confirmation');

    await stack.smtp.waitFor(() => stack.smtp.to(newcomer.email as string).length === 1 && stack.smtp.to(pendingVictim.email as string).length === 2);
    const newcomerToken = confirmTokenFrom(stack.smtp.to(newcomer.email as string)[0]!);
    const confirmations = await Promise.all([newcomerToken, newcomerToken].map((token) => postJson(`${stack.baseUrl}/api/v1/confirm/${token}`, '')));
    assert.deepEqual(confirmations.map((c) => c.status), [200, 200]);
    // The pending victim confirms from the reminder the repeat sent: their own signature, without the analyst's ref.
    assert.equal((await postJson(`${stack.baseUrl}/api/v1/confirm/${confirmTokenFrom(stack.smtp.to(pendingVictim.email as string)[1]!)}`, '')).status, 200);

    const { refs, sources, totals } = await dashboardOf(analyst, petition.slug);
    assert.deepEqual(refs, [{ code: probes.newcomer, count: 1 }], 'only the ref of the signature its owner confirmed counts, once');
    assert.equal(sources.length, 1);
    assert.equal(totals.total, 3);
    assert.deepEqual((await stack.services.recount({ fix: false })).drift, []);
  });

  test('when an organiser chooses no verification in the petition form, then it warns that this is unsafe for sensitive campaigns', async () => {
    const form = (await organiser.get('/admin/petitions/new')).html;
    assert.match(form, /<p id="verification-warning" class="hint">Unsafe for sensitive campaigns: [^<]*see the counts of such a petition as published every hour, not live\.<\/p>/);
    const petition = await givenPetition(stack, { verification: 'none' });
    assert.match((await organiser.get(`/admin/petitions/${petition.slug}/edit`)).html, /<p id="verification-warning" class="notice">Unsafe for sensitive campaigns/);
  });
});
