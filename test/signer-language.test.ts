import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { Types } from 'mongoose';
import type { DeliveryTarget } from '../server/deliveries/target-types.js';
import { DEFAULT_LANGUAGE, LANGUAGES } from '../server/i18n/languages.js';
import type { NewPetition } from '../server/petitions/petition-types.js';
import { csrfFrom, signedIn, type AdminClient } from './helpers/admin.js';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { confirmTokenFrom, type ReceivedMail } from './helpers/smtp.js';
import { startStack, type Stack } from './helpers/stack.js';
import { aWebClient, fieldValue, type WebClient } from './helpers/web-client.js';

let stack: Stack;
let organiser: AdminClient;
before(async () => {
  stack = await startStack();
  organiser = await signedIn(stack, 'organiser');
});
after(async () => {
  await stack.stop();
});

const unique = () => randomBytes(4).toString('hex');
/** Where links in emails point: the configured BASE_URL, not the test server's own address. */
const site = () => stack.services.config.BASE_URL;
const t = (lang: string, key: string, vars: Record<string, unknown> = {}) => stack.services.i18n.t(lang, key, vars);
const ARABIC_TEXT = { title: 'أطلقوا سراح المعتقلين', summary: 'ملخص قصير.', body: 'الفقرة الأولى.', target: 'حكومة' };
const FRENCH_TEXT = { title: 'Libérez les détenus', summary: 'Un court résumé.', body: 'Le premier paragraphe.', target: 'Un gouvernement' };

/** A petition written in English with Arabic and French translations, so that each email's title shows its language. */
const givenTranslatedPetition = (overrides: Partial<NewPetition> = {}) => givenPetition(stack, { translations: { ar: ARABIC_TEXT, fr: FRENCH_TEXT }, ...overrides });

async function petitionId(slug: string): Promise<string> {
  return (await stack.services.petitionService.findVisible(slug)).id;
}

/** Opens the petition page under a language's path and signs with its form, as a person would. */
async function signOnPage(client: WebClient, prefix: string, slug: string, signer: Record<string, unknown>) {
  const page = await client.get(`${prefix}/petitions/${slug}`);
  assert.equal(page.status, 200, `${prefix}/petitions/${slug}`);
  const form = { _csrf: fieldValue(page.html, '_csrf')!, started: fieldValue(page.html, 'started')!, website: '' };
  return client.post(`${prefix}/petitions/${slug}/sign`, { ...form, ...Object.fromEntries(Object.entries(signer).map(([k, v]) => [k, String(v)])) });
}

/** The next email to `address` whose subject is `subject`. */
async function mailTo(address: string, subject: string): Promise<ReceivedMail> {
  await stack.smtp.waitFor(() => stack.smtp.to(address).some((m) => m.subject === subject), 20_000).catch(() => {
    assert.fail(`no mail "${subject}" to ${address}; got: ${JSON.stringify(stack.smtp.to(address).map((m) => m.subject))}`);
  });
  return stack.smtp.to(address).find((m) => m.subject === subject)!;
}

/** Every absolute link in a message's text. */
const linksIn = (mail: ReceivedMail) => [...mail.text.matchAll(/https?:\/\/\S+/g)].map((m) => m[0]);
const PREFIXED = new RegExp(`^/(${LANGUAGES.filter((l) => l.code !== DEFAULT_LANGUAGE).map((l) => l.code).join('|')})/`);
/** Links that do not open the site under `prefix` ('' for English: no language prefix at all). */
function linksOutside(mail: ReceivedMail, prefix: string): string[] {
  return linksIn(mail).filter((link) => !link.startsWith(`${site()}${prefix}/`) || (prefix === '' && PREFIXED.test(link.slice(site().length))));
}

/** A delivered target with its packet, as the targets feature hands it to the announcer. */
async function givenDelivery(forPetition: string): Promise<DeliveryTarget> {
  const now = new Date();
  const id = `t_${unique()}`;
  const packetId = `pk_${unique()}`;
  await stack.database.connection.collection('packets').insertOne({
    _id: packetId as never,
    ...{ petitionId: forPetition, targetId: id, status: 'ready', cutoff: now, names: 'full', generatedAt: now, generatedBy: 'organiser@example.org' },
    ...{ total: 1234, countryCount: 1, counts: { GB: 1234 }, root: 'ab'.repeat(32), files: [], pdfPages: 1, zipFileId: 'f', zipBytes: 1 },
  });
  const delivery = { deliveredAt: new Date('2025-03-14T11:00:00Z'), deliveredBy: 'Volunteers', notes: '', packetId, photo: null, recordedBy: 'organiser@example.org', recordedAt: now };
  return {
    ...{ id, petitionId: forPetition, name: 'Embassy, London', recipientName: 'Zheng Zeguang', recipientTitle: 'Ambassador' },
    ...{ city: 'London', country: 'GB', address: '49 Portland Place', language: 'en', plannedAt: null, notes: '', delivery, createdAt: now, updatedAt: now },
  };
}

async function announce(target: DeliveryTarget): Promise<void> {
  await stack.services.announcer.announce(target);
  await stack.services.announcer.settle();
}

const updateSubject = (lang: string, title: string) => t(lang, 'mail.deliveryUpdate.subject', { city: 'London', title });

/** Posts a CSV to the workspace's import page, as a browser's multipart form does. */
async function importPaper(slug: string, csv: string): Promise<string> {
  const path = `/admin/petitions/${slug}/import`;
  const form = new FormData();
  form.append('_csrf', csrfFrom((await organiser.get(path)).html));
  form.append('file', new Blob([csv], { type: 'text/csv' }), 'signatures.csv');
  const cookie = [...organiser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  const res = await fetch(new URL(path, stack.baseUrl), { method: 'POST', body: form, headers: { cookie }, redirect: 'manual' });
  assert.equal(res.status, 200);
  return (await res.text()).replace(/&#x27;|&#39;/g, "'");
}

describe('emails in the signer’s language', () => {
  test('when a person signs on the Arabic page, then the confirmation, "counted" and delivery update emails are in Arabic with Arabic links, a repeat from the French page is answered in French, and an English signer of the same petition gets English', async () => {
    const petition = await givenTranslatedPetition();
    const arabic = aSigner({ email: `ar-${unique()}@example.org`, updates: 'on' }) as { email: string };
    const english = aSigner({ email: `en-${unique()}@example.org`, updates: 'on' }) as { email: string };
    const client = aWebClient(stack.baseUrl);

    const signed = await signOnPage(client, '/ar', petition.slug, arabic);
    assert.equal(signed.location, `/ar/petitions/${petition.slug}/check-email`);
    const confirmation = await mailTo(arabic.email, t('ar', 'mail.confirmSignature.subject', { title: ARABIC_TEXT.title }));
    assert.match(confirmation.subject, /[\u0600-\u06FF]/, 'the subject is in Arabic script');
    assert.ok(confirmation.text.includes(t('ar', 'mail.confirmSignature.body', { title: ARABIC_TEXT.title })), confirmation.text);
    assert.match(confirmation.html, /<html lang="ar" dir="rtl">/);
    const token = confirmTokenFrom(confirmation);
    assert.ok(confirmation.text.includes(`${site()}/ar/confirm/${token}`), `the confirm link starts with BASE_URL/ar/confirm/: ${linksIn(confirmation).join(' ')}`);
    assert.deepEqual(linksOutside(confirmation, '/ar'), [], 'every link opens the Arabic site');

    // The confirmation happens on an Arabic page and stays in Arabic.
    const confirmPage = await client.get(`/ar/confirm/${token}`);
    assert.equal(confirmPage.status, 200);
    assert.match(confirmPage.html, /<html lang="ar" dir="rtl"/);
    const confirmed = await client.post(`/ar/confirm/${token}`, { _csrf: csrfFrom(confirmPage.html) });
    assert.equal(confirmed.location, `/ar/petitions/${petition.slug}/thanks?confirmed=1`);
    const thanks = await client.get(confirmed.location);
    assert.match(thanks.html, /<html lang="ar" dir="rtl"/);
    assert.match(thanks.html, /<a href="\/ar\/receipts\/[A-Za-z0-9_-]+">/, 'the thanks page gives the receipt link in Arabic');
    const counted = await mailTo(arabic.email, t('ar', 'mail.signatureCounted.subject', { title: ARABIC_TEXT.title }));
    assert.match(counted.html, /<html lang="ar" dir="rtl">/);
    assert.ok(counted.text.includes(`${site()}/ar/receipts/`), `the receipt link is Arabic: ${linksIn(counted).join(' ')}`);
    assert.ok(counted.text.includes(`${site()}/ar/petitions/${petition.slug}`), 'the petition link is Arabic');
    assert.deepEqual(linksOutside(counted, '/ar'), []);

    // A repeat answers in the language of the page the person is on now.
    await signOnPage(aWebClient(stack.baseUrl), '/fr', petition.slug, arabic);
    const already = await mailTo(arabic.email, t('fr', 'mail.alreadySigned.subject', { title: FRENCH_TEXT.title }));
    assert.match(already.html, /<html lang="fr" dir="ltr">/);
    assert.deepEqual(linksOutside(already, '/fr'), []);

    await signOnPage(aWebClient(stack.baseUrl), '', petition.slug, english);
    const englishConfirmation = await mailTo(english.email, t('en', 'mail.confirmSignature.subject', { title: petition.title }));
    assert.match(englishConfirmation.subject, /^Please confirm your signature/);
    assert.match(englishConfirmation.html, /<html lang="en" dir="ltr">/);
    assert.ok(englishConfirmation.text.includes(`${site()}/confirm/`), 'an English link keeps its unprefixed path');
    assert.deepEqual(linksOutside(englishConfirmation, ''), []);
    assert.equal((await postJson(`${stack.baseUrl}/api/v1/confirm/${confirmTokenFrom(englishConfirmation)}`, '')).status, 200);
    await mailTo(english.email, t('en', 'mail.signatureCounted.subject', { title: petition.title }));

    const stored = await stack.database.connection
      .collection('signatures')
      .find({ petitionId: new Types.ObjectId(await petitionId(petition.slug)) }, { projection: { language: 1 } })
      .toArray();
    assert.deepEqual(stored.map((s) => s.language as unknown).sort(), ['ar', 'en'], 'the signature keeps the language it was signed in, not the repeat’s');

    await announce(await givenDelivery(await petitionId(petition.slug)));
    const arabicUpdate = await mailTo(arabic.email, updateSubject('ar', ARABIC_TEXT.title));
    assert.match(arabicUpdate.html, /<html lang="ar" dir="rtl">/);
    assert.ok(arabicUpdate.text.includes(new Intl.DisplayNames(['ar'], { type: 'region' }).of('GB')!), 'the country is named in Arabic');
    assert.ok(arabicUpdate.text.includes(`${site()}/ar/unsubscribe/`), `the unsubscribe link is Arabic: ${linksIn(arabicUpdate).join(' ')}`);
    assert.match(arabicUpdate.raw, new RegExp(`List-Unsubscribe:\\s+<${site()}/ar/unsubscribe/`));
    assert.deepEqual(linksOutside(arabicUpdate, '/ar'), []);
    const englishUpdate = await mailTo(english.email, updateSubject('en', petition.title));
    assert.match(englishUpdate.subject, /^Delivered in London/);
    assert.deepEqual(linksOutside(englishUpdate, ''), []);
  });

  test('when paper rows carry a language, then each signer’s delivery update is in it, a row without one gets the petition’s main language, and an unknown code is a row error naming the column', async () => {
    const petition = await givenTranslatedPetition({ language: 'es' });
    const [french, unstated] = [`fr-${unique()}@example.org`, `none-${unique()}@example.org`];
    const report = await importPaper(
      petition.slug,
      [
        'first_name,last_name,email,country,postcode,collected_at,collected_where,language,updates',
        `Jean,Dupont,${french},FR,,2025-03-15,Paris,fr,yes`,
        `Ana,Lima,${unstated},PE,,2025-03-15,Lima,,yes`,
        `Marie,Curie,marie-${unique()}@example.org,FR,,2025-03-15,Paris,French,yes`,
        `Paul,Klee,paul-${unique()}@example.org,FR,,2025-03-15,Paris,fr,maybe`,
      ].join('\n'),
    );
    assert.ok(report.includes(`line 4: language 'French' is not a language code of the site: use one of en, es, fr, ar, zh-Hans, zh-Hant`), 'the unknown code is reported with its column');
    assert.ok(report.includes(`line 5: updates 'maybe' is not yes or no`), 'the unknown answer is reported with its column');

    await announce(await givenDelivery(await petitionId(petition.slug)));
    const frenchUpdate = await mailTo(french, updateSubject('fr', FRENCH_TEXT.title));
    assert.match(frenchUpdate.html, /<html lang="fr" dir="ltr">/);
    assert.ok(frenchUpdate.text.includes('Royaume-Uni'), 'the country is named in French');
    assert.deepEqual(linksOutside(frenchUpdate, '/fr'), []);
    // Spanish is the petition's main language: its title and body are the petition's own.
    const spanishUpdate = await mailTo(unstated, updateSubject('es', petition.title));
    assert.match(spanishUpdate.html, /<html lang="es" dir="ltr">/);
    assert.deepEqual(linksOutside(spanishUpdate, '/es'), []);
  });
});

describe('country names in the language asked for', () => {
  test('when the API is asked for a petition in Traditional Chinese, by ?lang= or Accept-Language, then its country names are in Traditional Chinese', async () => {
    const petition = await givenPetition(stack);
    for (const country of ['GB', 'FR']) {
      const signer = aSigner({ country }) as { email: string };
      assert.equal((await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, signer)).status, 202);
      await stack.smtp.waitFor(() => stack.smtp.to(signer.email).length >= 1);
      assert.equal((await postJson(`${stack.baseUrl}/api/v1/confirm/${confirmTokenFrom(stack.smtp.to(signer.email)[0]!)}`, '')).status, 200);
    }
    const names = async (query: string, headers: Record<string, string> = {}) => {
      const deadline = Date.now() + 10_000;
      for (;;) {
        const res = await fetch(`${stack.baseUrl}/api/v1/petitions/${petition.slug}${query}`, { headers });
        const body = (await res.json()) as { countries: { code: string; name: string }[] };
        if (body.countries.length === 2 || Date.now() > deadline) return Object.fromEntries(body.countries.map((c) => [c.code, c.name]));
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    assert.deepEqual(await names('?lang=zh-Hant'), { GB: '英國', FR: '法國' });
    assert.deepEqual(await names('', { 'accept-language': 'zh-TW,zh;q=0.8' }), { GB: '英國', FR: '法國' });
    assert.deepEqual(await names(''), { GB: 'United Kingdom', FR: 'France' });
  });

  test('when an organiser exports with ?lang=, then the country_name column is in that language; without it, in the workspace’s; an unknown code is a 400 naming lang', async () => {
    const petition = await givenPetition(stack);
    await importPaper(petition.slug, ['first_name,last_name,country,collected_at,collected_where', 'Jean,Dupont,GB,2025-03-15,London'].join('\n'));
    const countryColumn = async (path: string) => {
      const res = await organiser.get(`/admin/petitions/${petition.slug}${path}`);
      assert.equal(res.status, 200, `${path}: ${res.html.slice(0, 200)}`);
      return res.html.replace(/^\uFEFF/, '').split('\r\n')[1]?.split(',').slice(0, 2);
    };
    assert.deepEqual(await countryColumn('/export/signatures.csv'), ['GB', 'United Kingdom'], 'the workspace speaks English unless chosen');
    assert.deepEqual(await countryColumn('/export/signatures.csv?lang=fr'), ['GB', 'Royaume-Uni']);
    assert.deepEqual(await countryColumn('/export/counts.csv?lang=zh-Hans'), ['GB', '英国']);

    const workspaceInArabic = await signedIn(stack, 'organiser');
    await workspaceInArabic.get('/admin?lang=ar');
    const res = await workspaceInArabic.get(`/admin/petitions/${petition.slug}/export/signatures.csv`);
    assert.equal(res.html.replace(/^\uFEFF/, '').split('\r\n')[1]?.split(',')[1], new Intl.DisplayNames(['ar'], { type: 'region' }).of('GB'));

    const refused = await organiser.get(`/admin/petitions/${petition.slug}/export/signatures.csv?lang=klingon`);
    assert.equal(refused.status, 400);
    // In the workspace's language (Simplified Chinese by now), naming the option and its choices.
    assert.match(refused.html, /lang[^<]*en, es, fr, ar, zh-Hans, zh-Hant/);
  });
});
