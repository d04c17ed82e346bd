import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mongo } from 'mongoose';
import sharp from 'sharp';
import { normaliseEmail } from '../server/signatures/email-normaliser.js';
import { signatureId } from '../server/signatures/signature-repository.js';
import { csrfFrom, signedIn, type AdminClient } from './helpers/admin.js';
import { aSigner, getJson, givenPetition, postJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';
import { aWebClient } from './helpers/web-client.js';
import { readZip } from './helpers/zip.js';

const london = {
  name: 'Embassy of the People’s Republic of China, London',
  recipientName: 'Jane Official',
  recipientTitle: 'Ambassador',
  city: 'London',
  country: 'GB',
  address: '49–51 Portland Place, London W1B 1JL',
  language: 'en',
  plannedAt: '2026-12-10',
  notes: '',
};

describe('stored packets and photos: sealed at rest, and gone with their target', () => {
  let stack: Stack;
  let organiser: AdminClient;
  before(async () => {
    stack = await startStack();
    organiser = await signedIn(stack, 'organiser');
  });
  after(() => stack.stop());

  const db = () => stack.database.connection.db!;
  const cookieOf = (client: AdminClient) => [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  /** Every stored chunk of a file, exactly as a copy of the database holds it. */
  const rawChunks = async (fileId: string) =>
    (await db().collection<{ n: number; data: mongo.Binary }>('files.chunks').find({ files_id: new mongo.ObjectId(fileId) }).toArray())
      .sort((a, b) => a.n - b.n)
      .map((c) => ({ n: c.n, data: Buffer.from(c.data.buffer) }));

  /** A petition signed by the given signers, with the London target added by an organiser through the workspace. */
  async function givenLondon(signers: Record<string, unknown>[]) {
    const { slug } = await givenPetition(stack, { verification: 'none' });
    for (const signer of signers) {
      const res = await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, signer);
      assert.equal(res.status, 202, res.text);
    }
    const res = await organiser.submit(`/admin/petitions/${slug}/targets`, london, `/admin/petitions/${slug}/targets/new`);
    assert.equal(res.status, 303, res.html.slice(0, 300));
    const targetId = res.location!.split('/').pop()!;
    const packet = await stack.services.packets.generate({ slug, target: targetId, names: 'full' }, organiser.email);
    return { slug, targetId, packet, page: `/admin/petitions/${slug}/targets/${targetId}` };
  }

  const download = (slug: string, packetId: string) => fetch(new URL(`/admin/petitions/${slug}/packets/${packetId}.zip`, stack.baseUrl), { headers: { cookie: cookieOf(organiser) } });

  async function deliver(slug: string, targetId: string, packetId: string, photo: Buffer) {
    const page = `/admin/petitions/${slug}/targets/${targetId}`;
    const form = new FormData();
    form.append('_csrf', csrfFrom((await organiser.get(page)).html));
    for (const [k, v] of Object.entries({ packetId, deliveredAt: '2026-11-20', deliveredBy: 'Tom', photoPublic: 'on' })) form.append(k, v);
    form.append('photo', new Blob([new Uint8Array(photo)], { type: 'image/jpeg' }), 'door.jpg');
    const res = await fetch(new URL(`${page}/deliver`, stack.baseUrl), { method: 'POST', body: form, headers: { cookie: cookieOf(organiser) }, redirect: 'manual' });
    assert.equal(res.status, 303, await res.text());
  }

  test('when a packet and a delivery photo are stored, then no stored chunk holds a signer’s name, email or the photo, and both still download whole', async () => {
    const signers = [aSigner({ firstName: 'Zulpiya', lastName: 'Abduqadir' }), aSigner({ firstName: 'Gülnar', lastName: 'Tursunova', country: 'FR' })];
    const { slug, targetId, packet } = await givenLondon(signers);
    const stored = Buffer.concat((await rawChunks(packet.zipFileId!)).map((c) => c.data));
    const secrets = signers.flatMap((s) => [s.firstName, s.lastName, s.email] as string[]).concat(['signatures.csv', 'PK\u0003\u0004']);
    assert.deepEqual(secrets.filter((secret) => stored.includes(Buffer.from(secret, 'utf8'))), [], 'found in the stored chunks');

    const res = await download(slug, packet.id);
    assert.equal(res.status, 200);
    const zip = Buffer.from(await res.arrayBuffer());
    assert.equal(zip.length, Number(res.headers.get('content-length')), 'Content-Length is the plaintext size');
    const csv = (await readZip(zip)).get('signatures.csv')?.toString('utf8') ?? '';
    assert.deepEqual(['Zulpiya', 'Abduqadir', 'Gülnar', 'Tursunova'].filter((name) => !csv.includes(name)), [], 'missing from the downloaded CSV');

    const photo = await sharp({ create: { width: 400, height: 300, channels: 3, background: '#a33' } }).jpeg().toBuffer();
    await deliver(slug, targetId, packet.id, photo);
    const photoFile = (await stack.services.targets.find(targetId))!.delivery!.photo!;
    const served = Buffer.from(await (await fetch(new URL(`/petitions/${slug}/deliveries/${targetId}/photo`, stack.baseUrl))).arrayBuffer());
    assert.equal((await sharp(served).metadata()).format, 'jpeg');
    assert.equal(served.length, photoFile.bytes);
    const storedPhoto = Buffer.concat((await rawChunks(photoFile.fileId)).map((c) => c.data));
    assert.equal(storedPhoto.includes(served.subarray(0, 64)), false, 'the JPEG is not stored as it is');
    assert.equal(storedPhoto.includes(Buffer.from([0xff, 0xd8, 0xff])), false, 'no JPEG start marker is stored');
  });

  test('when a stored chunk of a packet is changed, then the download is an error, not a ZIP', async () => {
    const { slug, packet } = await givenLondon([aSigner()]);
    const [first] = await rawChunks(packet.zipFileId!);
    const changed = Buffer.from(first!.data);
    changed[changed.length - 1]! ^= 1;
    await db().collection('files.chunks').updateOne({ files_id: new mongo.ObjectId(packet.zipFileId!), n: 0 }, { $set: { data: new mongo.Binary(changed) } });

    const res = await download(slug, packet.id);
    const body = Buffer.from(await res.arrayBuffer());
    assert.equal(res.status, 500);
    assert.match(res.headers.get('content-type') ?? '', /text\/html/);
    assert.equal(body.includes('PK'), false, 'no part of the ZIP is sent');
  });

  test('when a later chunk of a large stored file is changed, then reading it fails part-way instead of giving altered bytes', async () => {
    const stored = await stack.services.files.save('large.bin', 'application/octet-stream', Buffer.alloc(600_000, 7));
    const chunks = await rawChunks(stored.id);
    assert.ok(chunks.length >= 2, 'the file spans several chunks');
    const changed = Buffer.from(chunks[1]!.data);
    changed[10]! ^= 1;
    await db().collection('files.chunks').updateOne({ files_id: new mongo.ObjectId(stored.id), n: 1 }, { $set: { data: new mongo.Binary(changed) } });
    let read = 0;
    await assert.rejects(async () => {
      for await (const chunk of await stack.services.files.open(stored.id)) read += (chunk as Buffer).length;
    }, /does not open/);
    assert.ok(read < 600_000, `only what was checked was released (${read} bytes)`);
  });

  test('when a file was stored before sealing, then it still opens as it is', async () => {
    const upload = new mongo.GridFSBucket(db(), { bucketName: 'files' }).openUploadStream('old.zip', { metadata: { contentType: 'application/zip' } });
    await new Promise((resolve, reject) => upload.once('finish', resolve).once('error', reject).end(Buffer.from('written before sealing')));
    const chunks: Buffer[] = [];
    for await (const chunk of await stack.services.files.open(upload.id.toHexString())) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), 'written before sealing');
  });

  test('when the London target, whose packet was never delivered, is deleted, then its packet, file and leaves go with it: no download, not on receipts', async () => {
    const signer = aSigner();
    const { slug, page, packet } = await givenLondon([signer]);
    const petitionId = (await stack.services.targets.petitionFor(slug)).id;
    const canonical = normaliseEmail(signer.email as string);
    assert.ok(canonical.ok);
    const receipt = `/receipts/${stack.services.receiptTokens.issue(signatureId(petitionId, stack.services.protector.emailHash(canonical.canonical)))}`;
    assert.match((await aWebClient(stack.baseUrl).get(receipt)).html, new RegExp(packet.id), 'the receipt lists the packet before');

    const res = await organiser.submit(`${page}/delete`, {}, page);
    assert.equal(res.status, 303, res.html.slice(0, 300));

    assert.equal((await download(slug, packet.id)).status, 404);
    assert.equal(await stack.services.packets.find(packet.id), null);
    assert.equal(await db().collection('files.files').countDocuments({ _id: new mongo.ObjectId(packet.zipFileId!) }), 0, 'the ZIP is gone');
    assert.equal(await db().collection('files.chunks').countDocuments({ files_id: new mongo.ObjectId(packet.zipFileId!) }), 0, 'its chunks are gone');
    assert.equal(await db().collection('packet_leaves').countDocuments({ _id: `${packet.id}:0` as never }), 0, 'its leaves are gone');
    const after = await aWebClient(stack.baseUrl).get(receipt);
    assert.equal(after.status, 200);
    assert.doesNotMatch(after.html, new RegExp(packet.id), 'the receipt no longer lists it');
    assert.equal((await aWebClient(stack.baseUrl).get(`${receipt}/packets/${packet.id}.json`)).status, 404);
    const removal = (await stack.services.audit.latest(20)).find((e) => e.action === 'target.remove');
    assert.deepEqual(removal?.details.packets, [packet.id]);
  });

  test('when a delivered target is deleted, then 409 names the delivery, and its packet and published root stay', async () => {
    const { slug, targetId, page, packet } = await givenLondon([aSigner()]);
    await deliver(slug, targetId, packet.id, await sharp({ create: { width: 40, height: 30, channels: 3, background: '#3a3' } }).jpeg().toBuffer());

    const res = await organiser.submit(`${page}/delete`, {}, page);
    assert.equal(res.status, 409);
    for (const fact of ['2026-11-20', packet.id, 'receipts']) assert.ok(res.html.includes(fact), `the refusal names ${fact}`);
    assert.equal((await download(slug, packet.id)).status, 200);
    const published = await getJson<{ deliveries: { packetId: string; packetRoot: string }[] }>(`${stack.baseUrl}/api/v1/petitions/${slug}/deliveries`);
    assert.deepEqual(published.body.deliveries.map((d) => [d.packetId, d.packetRoot]), [[packet.id, packet.root]]);
  });
});
