import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import sharp from 'sharp';
import { DEMO_PETITION } from '../server/petitions/demo-petition.js';
import { csrfFrom, signedIn, type AdminClient } from './helpers/admin.js';
import { aSigner, getJson, givenPetition, postJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';
import { aWebClient, fieldValue } from './helpers/web-client.js';

const PHOTO_MAX_MB = 1;

const aTarget = (overrides: Record<string, string> = {}): Record<string, string> => ({
  name: 'Embassy of the People’s Republic of China, London',
  recipientName: 'Jane Official',
  recipientTitle: 'Ambassador of the People’s Republic of China to the United Kingdom',
  city: 'London',
  country: 'GB',
  address: '49–51 Portland Place, London W1B 1JL',
  language: 'en',
  plannedAt: '2026-12-10',
  notes: 'Meet at the corner at 10:00.',
  ...overrides,
});

/** A phone photo as it leaves the phone: EXIF with the maker, the model and the GPS position. */
const phonePhoto = (width = 2400) =>
  sharp({ create: { width, height: Math.round(width * 0.66), channels: 3, background: { r: 180, g: 40, b: 40 } } })
    .jpeg()
    .withMetadata({ exif: { IFD0: { Make: 'PhoneMaker', Model: 'SecretPhone 9' }, IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 31/1 0/1' } } })
    .toBuffer();

describe('delivery targets, packets and the delivery log', () => {
  let stack: Stack;
  let organiser: AdminClient;
  let admin: AdminClient;
  let analyst: AdminClient;
  before(async () => {
    stack = await startStack({ DELIVERY_PHOTO_MAX_MB: String(PHOTO_MAX_MB) });
    [organiser, admin, analyst] = await Promise.all([signedIn(stack, 'organiser'), signedIn(stack, 'admin'), signedIn(stack, 'analyst')]);
  });
  after(() => stack.stop());

  const petitionIdOf = async (slug: string) => (await stack.services.targets.petitionFor(slug)).id;
  const targetsOf = async (slug: string) => stack.services.targets.listForPetition(await petitionIdOf(slug));

  /** A petition with a few confirmed signatures (no email confirmation needed). */
  async function givenSignedPetition(signers = 3) {
    const { slug } = await givenPetition(stack, { verification: 'none' });
    for (let i = 0; i < signers; i++) {
      const res = await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, aSigner({ country: i % 2 ? 'FR' : 'GB' }));
      assert.ok(res.status < 300, res.text);
    }
    return slug;
  }

  async function createTarget(slug: string, form = aTarget(), client = organiser) {
    const res = await client.submit(`/admin/petitions/${slug}/targets`, form, `/admin/petitions/${slug}/targets/new`);
    assert.equal(res.status, 303, res.html.slice(0, 500));
    return res.location!.split('/').pop()!;
  }

  const readyPacket = async (slug: string, targetId: string) => stack.services.packets.generate({ slug, target: targetId, names: 'full' }, 'test');

  /** Posts the delivery form the way a browser's multipart form does, with the client's cookies. */
  async function deliver(client: AdminClient, slug: string, targetId: string, fields: Record<string, string>, photo?: { data: Uint8Array; name: string; type: string }) {
    const page = `/admin/petitions/${slug}/targets/${targetId}`;
    const form = new FormData();
    form.append('_csrf', csrfFrom((await client.get(page)).html));
    for (const [k, v] of Object.entries(fields)) form.append(k, v);
    if (photo) form.append('photo', new Blob([new Uint8Array(photo.data)], { type: photo.type }), photo.name);
    const cookie = [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(`${page}/deliver`, stack.baseUrl), { method: 'POST', body: form, headers: { cookie }, redirect: 'manual' });
    return { status: res.status, html: await res.text() };
  }

  const fileCount = () => stack.database.connection.collection('files.files').countDocuments();
  const auditActions = async () => (await stack.services.audit.latest(50)).map((e) => e.action);

  test('when an organiser adds a target, then it is listed, its page shows it, and the change is audited', async () => {
    const slug = await givenSignedPetition(0);
    const id = await createTarget(slug);
    const [stored] = await targetsOf(slug);
    assert.equal(stored?.id, id);
    assert.equal(stored?.plannedAt?.toISOString(), '2026-12-10T00:00:00.000Z');
    assert.match((await organiser.get(`/admin/petitions/${slug}/targets`)).html, /Embassy of the People’s Republic of China, London/);
    const page = await organiser.get(`/admin/petitions/${slug}/targets/${id}`);
    assert.equal(page.status, 200);
    assert.match(page.html, /49–51 Portland Place/);
    assert.ok((await auditActions()).includes('target.create'));
  });

  test('when a target form has bad fields, then 422 names each of them and nothing is stored', async () => {
    const slug = await givenSignedPetition(0);
    const res = await organiser.submit(`/admin/petitions/${slug}/targets`, aTarget({ name: ' ', country: 'XX', language: 'pt', plannedAt: '2026-02-30', notes: 'x'.repeat(2001) }), `/admin/petitions/${slug}/targets/new`);
    assert.equal(res.status, 422);
    for (const field of ['name', 'country', 'language', 'plannedAt', 'notes']) assert.match(res.html, new RegExp(`id="${field}-error"`), field);
    assert.doesNotMatch(res.html, /id="city-error"/);
    assert.equal(fieldValue(res.html, 'city'), 'London', 'the form comes back as typed');
    assert.deepEqual(await targetsOf(slug), []);
  });

  test('when an organiser edits a target, then a valid edit is saved and a bad one changes nothing', async () => {
    const slug = await givenSignedPetition(0);
    const id = await createTarget(slug);
    const editPage = `/admin/petitions/${slug}/targets/${id}/edit`;
    assert.equal(fieldValue((await organiser.get(editPage)).html, 'plannedAt'), '2026-12-10');
    const ok = await organiser.submit(editPage, aTarget({ city: 'Londres', language: 'fr' }), editPage);
    assert.equal(ok.status, 303);
    const bad = await organiser.submit(editPage, aTarget({ city: '', recipientTitle: '' }), editPage);
    assert.equal(bad.status, 422);
    assert.match(bad.html, /id="city-error"/);
    assert.match(bad.html, /id="recipientTitle-error"/);
    const target = await stack.services.targets.find(id);
    assert.equal(target?.city, 'Londres');
    assert.equal(target?.language, 'fr');
  });

  test('when a target is looked up for a packet, then its id or its city (any case) finds it; a shared city is 409 naming both; none is 404', async () => {
    const slug = await givenSignedPetition(0);
    const petitionId = await petitionIdOf(slug);
    const london = await createTarget(slug);
    const embassy = await createTarget(slug, aTarget({ name: 'Chinese embassy, Paris', city: 'Paris', country: 'FR' }));
    await createTarget(slug, aTarget({ name: 'UNESCO, Paris', city: 'Paris', country: 'FR' }));
    const other = await createTarget(await givenSignedPetition(0));
    const { targets } = stack.services;
    assert.equal((await targets.findForPacket(petitionId, london)).id, london);
    assert.equal((await targets.findForPacket(petitionId, 'lOnDoN')).id, london);
    assert.equal((await targets.findForPacket(petitionId, embassy)).id, embassy);
    await assert.rejects(targets.findForPacket(petitionId, 'paris'), (e: { status: number; message: string }) => e.status === 409 && /Chinese embassy, Paris/.test(e.message) && /UNESCO, Paris/.test(e.message));
    await assert.rejects(targets.findForPacket(petitionId, 'Lima'), (e: { status: number }) => e.status === 404);
    await assert.rejects(targets.findForPacket(petitionId, other), (e: { status: number }) => e.status === 404);
  });

  test('when an analyst looks, then they see targets but no forms, and every change is refused with 403', async () => {
    const slug = await givenSignedPetition(0);
    const id = await createTarget(slug);
    const page = await analyst.get(`/admin/petitions/${slug}/targets/${id}`);
    assert.equal(page.status, 200);
    assert.doesNotMatch(page.html, /action="[^"]*\/(deliver|packets|delete|undo)"/);
    assert.doesNotMatch(page.html, /\/edit"/);
    const csrf = csrfFrom((await analyst.get('/admin')).html);
    for (const path of ['/targets', `/targets/${id}/edit`, `/targets/${id}/delete`, `/targets/${id}/packets`, `/targets/${id}/undo`]) {
      assert.equal((await analyst.post(`/admin/petitions/${slug}${path}`, { _csrf: csrf, ...aTarget({ city: 'Changed' }) })).status, 403, path);
    }
    assert.equal((await analyst.get(`/admin/petitions/${slug}/targets/new`)).status, 403);
    assert.equal((await stack.services.targets.find(id))?.city, 'London');
  });

  test('when a packet is generated from the target page, then it shows as generating or ready, and its ZIP downloads as an attachment (audited)', async () => {
    const slug = await givenSignedPetition(3);
    const id = await createTarget(slug);
    const page = `/admin/petitions/${slug}/targets/${id}`;
    const res = await organiser.submit(`${page}/packets`, { cutoff: '', countries: '', names: 'initials' }, page);
    assert.equal(res.status, 303);
    assert.equal(res.location, page);
    assert.match((await organiser.get(page)).html, /Generating…|Ready/);
    await stack.services.packets.settle();
    const [packet] = await stack.services.packets.list(await petitionIdOf(slug), id);
    assert.equal(packet?.status, 'ready');
    assert.equal(packet?.total, 3);
    const shown = await organiser.get(page);
    const row = new RegExp(`<tr id="packet-${packet.id}">[\\s\\S]*?</tr>`).exec(shown.html)?.[0] ?? '';
    for (const fact of ['Ready', 'Initials', 'All countries', packet.root]) assert.ok(row.includes(fact), fact);
    const zipPath = `/admin/petitions/${slug}/packets/${packet.id}.zip`;
    assert.match(shown.html, new RegExp(`href="${zipPath}"`));
    const zip = await fetch(new URL(zipPath, stack.baseUrl), { headers: { cookie: [...organiser.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } });
    assert.equal(zip.status, 200);
    assert.match(zip.headers.get('content-disposition') ?? '', /^attachment; filename=".+\.zip"$/);
    assert.equal(Buffer.from(await zip.arrayBuffer()).subarray(0, 2).toString(), 'PK');
    assert.ok((await auditActions()).includes('packet.download'));
    assert.equal((await analyst.get(zipPath)).status, 403);
    assert.doesNotMatch((await analyst.get(page)).html, /\.zip"/);
  });

  test('when the packet form has a bad or future cutoff, then the page comes back with the reason and no packet is made', async () => {
    const slug = await givenSignedPetition(1);
    const id = await createTarget(slug);
    const page = `/admin/petitions/${slug}/targets/${id}`;
    const bad = await organiser.submit(`${page}/packets`, { cutoff: '2026-02-30T10:00', countries: '', names: 'full' }, page);
    assert.equal(bad.status, 422);
    assert.match(bad.html, /id="cutoff-error"/);
    const future = await organiser.submit(`${page}/packets`, { cutoff: '2999-01-01T00:00', countries: 'GB, ZZ', names: 'full' }, page);
    assert.equal(future.status, 422);
    assert.match(future.html, /id="cutoff-error"/);
    assert.deepEqual(await stack.services.packets.list(await petitionIdOf(slug), id), []);
  });

  test('when a delivery is recorded with a phone photo, then the photo is stored as a smaller JPEG without EXIF, and the public sees the handover', async () => {
    const slug = await givenSignedPetition(3);
    const id = await createTarget(slug);
    const packet = await readyPacket(slug, id);
    const original = await phonePhoto();
    assert.match((await sharp(original).metadata()).exif?.toString('latin1') ?? '', /SecretPhone/, 'the upload does carry EXIF');
    const res = await deliver(organiser, slug, id, { packetId: packet.id, deliveredAt: '2026-11-20', deliveredBy: 'Ayşe and Tom', notes: 'Guard took it at the gate.', photoPublic: 'on' }, { data: original, name: 'IMG_0001.jpg', type: 'image/jpeg' });
    assert.equal(res.status, 303, res.html.slice(0, 500));

    const photo = await fetch(new URL(`/petitions/${slug}/deliveries/${id}/photo`, stack.baseUrl));
    assert.equal(photo.status, 200);
    assert.equal(photo.headers.get('content-type'), 'image/jpeg');
    const served = Buffer.from(await photo.arrayBuffer());
    const meta = await sharp(served).metadata();
    assert.equal(meta.format, 'jpeg');
    assert.equal(meta.width, 2000);
    assert.equal(meta.exif, undefined);
    assert.ok(!served.includes('SecretPhone') && !served.includes('PhoneMaker'));

    const api = await getJson<{ deliveries: Record<string, unknown>[] }>(`${stack.baseUrl}/api/v1/petitions/${slug}/deliveries`);
    assert.equal(api.status, 200);
    assert.deepEqual(api.body, {
      deliveries: [{ city: 'London', country: 'GB', recipient: 'Jane Official, Ambassador of the People’s Republic of China to the United Kingdom', deliveredAt: '2026-11-20', signatures: 3, packetRoot: packet.root, packetId: packet.id }],
    });
    const pageHtml = (await aWebClient(stack.baseUrl).get(`/petitions/${slug}`)).html;
    // The root is printed with <wbr> break opportunities, which copying leaves out.
    const section = (/<section[^>]*id="delivered"[\s\S]*?<\/section>/.exec(pageHtml)?.[0] ?? '').replaceAll('<wbr>', '');
    for (const fact of ['London', 'United Kingdom', 'Jane Official, Ambassador of the People’s Republic of China to the United Kingdom', 'November 20, 2026', '3 signatures delivered', packet.root, `/petitions/${slug}/deliveries/${id}/photo`]) assert.ok(section.includes(fact), fact);
    for (const secret of ['Ayşe', 'Guard took it', 'Meet at the corner', organiser.email]) {
      assert.ok(!JSON.stringify(api.body).includes(secret) && !pageHtml.includes(secret), secret);
    }
    assert.ok((await auditActions()).includes('delivery.record'));
  });

  test('when the photo is not marked public, then the public gets 404 and staff still see it', async () => {
    const slug = await givenSignedPetition(1);
    const id = await createTarget(slug);
    const packet = await readyPacket(slug, id);
    const res = await deliver(organiser, slug, id, { packetId: packet.id, deliveredAt: '2026-11-20', deliveredBy: 'Tomasz Deliverer' }, { data: await phonePhoto(800), name: 'door.jpg', type: 'image/jpeg' });
    assert.equal(res.status, 303);
    assert.equal((await fetch(new URL(`/petitions/${slug}/deliveries/${id}/photo`, stack.baseUrl))).status, 404);
    const staff = await organiser.get(`/admin/petitions/${slug}/targets/${id}/photo`);
    assert.equal(staff.status, 200);
    assert.equal(staff.headers.get('content-type'), 'image/jpeg');
    // Analysts see that it was delivered, never who went to the door nor the photo.
    const seen = await analyst.get(`/admin/petitions/${slug}/targets/${id}`);
    assert.match(seen.html, /Delivered on/);
    assert.doesNotMatch(seen.html, /Tomasz Deliverer|\/photo"/);
    assert.equal((await analyst.get(`/admin/petitions/${slug}/targets/${id}/photo`)).status, 403);
  });

  for (const { what, photo, status } of [
    { what: 'a text file named .jpg', photo: () => ({ data: Buffer.from('not a picture at all\n'.repeat(50)), name: 'door.jpg', type: 'image/jpeg' }), status: 415 },
    { what: 'a GIF', photo: async () => ({ data: await sharp({ create: { width: 10, height: 10, channels: 3, background: '#000' } }).gif().toBuffer(), name: 'door.jpg', type: 'image/jpeg' }), status: 415 },
    { what: `larger than ${PHOTO_MAX_MB} MB`, photo: () => ({ data: Buffer.alloc(PHOTO_MAX_MB * 1024 * 1024 + 1, 0xff), name: 'door.jpg', type: 'image/jpeg' }), status: 413 },
  ]) {
    test(`when the photo is ${what}, then ${status} with a clear message and nothing is stored`, async () => {
      const slug = await givenSignedPetition(1);
      const id = await createTarget(slug);
      const packet = await readyPacket(slug, id);
      const files = await fileCount();
      const res = await deliver(organiser, slug, id, { packetId: packet.id, deliveredAt: '2026-11-20', deliveredBy: 'Tom' }, await photo());
      assert.equal(res.status, status);
      assert.match(res.html, status === 413 ? /larger than 1 MB/ : /JPEG, PNG or WebP/);
      assert.equal((await stack.services.targets.find(id))?.delivery, null);
      assert.equal(await fileCount(), files);
    });
  }

  test('when the delivery form lacks the packet or names another target’s packet, then 422 and nothing is recorded', async () => {
    const slug = await givenSignedPetition(1);
    const id = await createTarget(slug);
    const otherId = await createTarget(slug, aTarget({ city: 'Madrid', country: 'ES' }));
    await readyPacket(slug, id);
    const foreign = await readyPacket(slug, otherId);
    const missing = await deliver(organiser, slug, id, { packetId: '', deliveredAt: '2026-11-31', deliveredBy: '' });
    assert.equal(missing.status, 422);
    for (const field of ['packetId', 'deliveredAt', 'deliveredBy']) assert.match(missing.html, new RegExp(`id="${field}-error"`), field);
    const wrong = await deliver(organiser, slug, id, { packetId: foreign.id, deliveredAt: '2026-11-20', deliveredBy: 'Tom' });
    assert.equal(wrong.status, 422);
    assert.match(wrong.html, /id="packetId-error"/);
    assert.equal((await stack.services.targets.find(id))?.delivery, null);
  });

  test('when a delivery is undone, then only an admin may, the public no longer sees it, its photo is gone, and the target can then be removed', async () => {
    const slug = await givenSignedPetition(1);
    const id = await createTarget(slug);
    const packet = await readyPacket(slug, id);
    assert.equal((await deliver(organiser, slug, id, { packetId: packet.id, deliveredAt: '2026-11-20', deliveredBy: 'Tom', photoPublic: 'on' }, { data: await phonePhoto(600), name: 'a.png', type: 'image/png' })).status, 303);
    const page = `/admin/petitions/${slug}/targets/${id}`;
    assert.equal((await organiser.submit(`${page}/delete`, {}, page)).status, 409, 'a delivered target stays');
    assert.equal((await organiser.submit(`${page}/undo`, {}, page)).status, 403);
    const files = await fileCount();
    assert.equal((await admin.submit(`${page}/undo`, {}, page)).status, 303);
    assert.equal((await stack.services.targets.find(id))?.delivery, null);
    assert.equal(await fileCount(), files - 1);
    assert.deepEqual((await getJson(`${stack.baseUrl}/api/v1/petitions/${slug}/deliveries`)).body, { deliveries: [] });
    assert.doesNotMatch((await aWebClient(stack.baseUrl).get(`/petitions/${slug}`)).html, /id="delivered"/);
    assert.ok((await auditActions()).includes('delivery.undo'));
    assert.equal((await organiser.submit(`${page}/delete`, {}, page)).status, 303);
    assert.equal(await stack.services.targets.find(id), null);
  });

  test('when the public asks for the deliveries of a missing or draft petition, then 404', async () => {
    const { slug } = await givenPetition(stack, { status: 'draft' });
    assert.equal((await getJson(`${stack.baseUrl}/api/v1/petitions/${slug}/deliveries`)).status, 404);
    assert.equal((await getJson(`${stack.baseUrl}/api/v1/petitions/no-such-petition/deliveries`)).status, 404);
  });

  test('when the demo is seeded twice, then its petition has the ten handovers once, with their letter languages', async () => {
    await stack.services.seedDemo();
    await stack.services.seedDemo();
    const targets = await targetsOf(DEMO_PETITION.slug);
    assert.equal(targets.length, 10);
    const language = Object.fromEntries(targets.map((t) => [t.city, t.language]));
    assert.deepEqual(language, { London: 'en', Dakar: 'fr', Helsinki: 'en', Lima: 'es', Lisbon: 'en', Madrid: 'es', Paris: 'fr', 'The Hague': 'en', 'Washington DC': 'en', Jakarta: 'en' });
    assert.deepEqual(targets.filter((t) => !(t.recipientTitle && t.address && t.plannedAt)).map((t) => t.city), [], 'every target has a recipient title, an address and a date');
  });
});
