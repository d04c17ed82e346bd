import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { countryName } from '../server/countries/countries.js';
import { leafOf } from '../server/packets/packet-record.js';
import { rootFromProof } from '../server/packets/merkle.js';
import { aSigner, givenPetition, postJson } from './helpers/builders.js';
import { petitionIdOf } from './helpers/export-signatures.js';
import { startStack, type Stack } from './helpers/stack.js';
import { readZip } from './helpers/zip.js';

const run = promisify(execFile);
const pdfText = async (pdf: Buffer) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'packet-pdf-')), 'p.pdf');
  writeFileSync(file, pdf);
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
  return stdout.replace(/\u00a0/g, ' ');
};
const pdfPages = async (pdf: Buffer) => {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'packet-pdf-')), 'p.pdf');
  writeFileSync(file, pdf);
  return Number(/Pages:\s+(\d+)/.exec((await run('pdfinfo', [file])).stdout)?.[1]);
};

interface Summary {
  totals: { signatures: number; countries: number };
  countries: { code: string; name: string; count: number }[];
}
interface Manifest {
  packetId: string;
  files: { name: string; sha256: string; bytes: number }[];
  merkle: { root: string; treeSize: number };
}

describe('delivery packets', () => {
  let stack: Stack;
  let slug: string;
  let petitionId: string;
  const signers = [
    aSigner({ firstName: 'Ayşe', lastName: 'Yılmaz', country: 'TR' }),
    aSigner({ firstName: 'Владимир', lastName: 'Петров', country: 'FR' }),
    aSigner({ firstName: '小明', lastName: '王', country: 'GB' }),
    aSigner({ firstName: 'Hidden', lastName: 'Qurbanjan', country: 'GB', hideName: true }),
    aSigner({ firstName: 'Gülnar', lastName: 'Tursun', country: 'GB' }),
  ];
  const sign = async (signer: Record<string, unknown>) => {
    const res = await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, signer);
    assert.equal(res.status, 202, res.text);
  };
  const generate = (over: Record<string, unknown> = {}) =>
    stack.services.packets.generate({ slug, target: 'London', names: 'full', ...over }, 'test@example.org');
  const zipOf = async (packetId: string) => {
    const packet = (await stack.services.packets.find(packetId))!;
    const chunks: Buffer[] = [];
    for await (const chunk of await stack.services.packets.openZip(packet)) chunks.push(chunk as Buffer);
    return readZip(Buffer.concat(chunks));
  };

  before(async () => {
    stack = await startStack();
    ({ slug } = await givenPetition(stack, { verification: 'none' }));
    petitionId = await petitionIdOf(stack.database.connection, slug);
    await stack.services.targets.create(petitionId, {
      name: "Embassy of the People's Republic of China, London",
      recipientName: 'Zheng Zeguang',
      recipientTitle: 'Ambassador',
      city: 'London',
      country: 'GB',
      address: '49 Portland Place, London W1B 1JL',
      language: 'en',
      plannedAt: '',
      notes: '',
    }, 'test');
    for (const signer of signers) await sign(signer);
  });
  after(() => stack.stop());

  it('when a packet is generated, then its totals and counts by country equal the tallies and the PDF says so', async () => {
    const tally = await stack.services.tallies.read(petitionId, { fresh: true });
    const packet = await generate();
    assert.equal(packet.status, 'ready');
    assert.equal(packet.total, tally.total);
    const files = await zipOf(packet.id);
    assert.deepEqual([...files.keys()].sort(), ['manifest.json', 'packet.pdf', 'poster.pdf', 'signatures.csv', 'summary.json']);
    const summary = JSON.parse(files.get('summary.json')!.toString()) as Summary;
    assert.equal(summary.totals.signatures, tally.total);
    assert.deepEqual(Object.fromEntries(summary.countries.map((c) => [c.code, c.count])), Object.fromEntries(tally.countries.map((c) => [c.code, c.count])));
    const text = await pdfText(files.get('packet.pdf')!);
    assert.match(text, /Zheng Zeguang/);
    // The signers section opens each country with its count, as read from the PDF itself.
    for (const c of tally.countries) assert.ok(text.includes(`${countryName(c.code, 'en')} — ${c.count} signature${c.count === 1 ? '' : 's'}`), `${c.code} heading with ${c.count}`);
    for (const name of ['Ayşe Yılmaz', 'Владимир Петров', '小明 王', 'Gülnar Tursun']) assert.ok(text.includes(name), `${name} in the PDF`);
    assert.ok((await pdfPages(files.get('packet.pdf')!)) >= 2);
    const csv = files.get('signatures.csv')!.toString();
    assert.equal(csv.trim().split('\r\n').length, 1 + tally.total);
  });

  it('when a signer hid their name, then no file of any packet, under any name policy, contains it', async () => {
    for (const names of ['full', 'first-initial', 'initials', 'none']) {
      const files = await zipOf((await generate({ names })).id);
      for (const [name, bytes] of files) {
        const text = name.endsWith('.pdf') ? await pdfText(bytes) : bytes.toString();
        for (const secret of ['Qurbanjan', 'Hidden', signers[3]!.email as string]) assert.ok(!text.includes(secret), `${secret} in ${name} (${names})`);
        for (const signer of signers) assert.ok(!text.includes(signer.email as string), `an email in ${name}`);
      }
    }
  });

  it('when the name policy is first-initial or initials, then the CSV shows exactly that', async () => {
    const csvOf = async (names: string) => (await zipOf((await generate({ names })).id)).get('signatures.csv')!.toString();
    assert.match(await csvOf('first-initial'), /Ayşe Y\./);
    assert.match(await csvOf('initials'), /A\. Y\./);
    assert.doesNotMatch(await csvOf('none'), /Ayşe/);
  });

  it('when a packet is generated twice with the same cutoff and scope, then its CSV and JSON are byte-identical and the manifest hashes agree', async () => {
    const cutoff = new Date();
    const first = await zipOf((await generate({ cutoff, countries: ['GB', 'TR'] })).id);
    const second = await zipOf((await generate({ cutoff, countries: ['TR', 'GB'] })).id);
    assert.ok(first.get('signatures.csv')!.equals(second.get('signatures.csv')!));
    assert.ok(first.get('summary.json')!.equals(second.get('summary.json')!));
    const [m1, m2] = [first, second].map((f) => JSON.parse(f.get('manifest.json')!.toString()) as Manifest);
    assert.notEqual(m1!.packetId, m2!.packetId);
    assert.equal(m1!.merkle.root, m2!.merkle.root);
    const hashes = (m: Manifest) => m.files.filter((f) => !f.name.endsWith('.pdf'));
    assert.deepEqual(hashes(m1!), hashes(m2!));
    assert.doesNotMatch(first.get('signatures.csv')!.toString(), /Петров/, 'FR is outside the scope');
  });

  it('when the cutoff is earlier, then later signatures are left out and the totals equal the tallies read at the cutoff', async () => {
    const before = await stack.services.tallies.read(petitionId, { fresh: true });
    const cutoff = new Date();
    await new Promise((r) => setTimeout(r, 5));
    await sign(aSigner({ firstName: 'Later', lastName: 'Signer', country: 'GB' }));
    const packet = await generate({ cutoff });
    assert.equal(packet.total, before.total);
    assert.deepEqual(packet.counts, Object.fromEntries(before.countries.map((c) => [c.code, c.count])));
    assert.doesNotMatch((await zipOf(packet.id)).get('signatures.csv')!.toString(), /Later/);
  });

  it("when a signer's leaf is looked up, then its proof folds to the manifest's root, and a record not in the packet has no proof", async () => {
    const packet = await generate();
    const manifest = JSON.parse((await zipOf(packet.id)).get('manifest.json')!.toString()) as Manifest;
    const id = `${petitionId}:${stack.services.protector.emailHash(String(signers[0]!.email))}`;
    const leaf = leafOf({ country: 'TR', name: 'Ayşe Yılmaz' }, stack.services.packets.saltFor(id));
    const proof = await stack.services.packets.proofFor(packet.id, leaf);
    assert.ok(proof);
    assert.equal(rootFromProof(leaf, proof.index, proof.size, proof.proof)?.toString('hex'), manifest.merkle.root);
    assert.equal(await stack.services.packets.proofFor(packet.id, leafOf({ country: 'TR', name: 'Ayşe Yılmaz' }, Buffer.alloc(32))), null);
  });

  describe('for a target whose letter is in French', () => {
    const english = { title: 'Free the detained in Xinjiang', summary: 'Close the camps and release everyone held without charge.', body: 'Over a million people are held.\n\n- Close the camps', target: 'The government of China' };
    const french = { title: 'Libérez les détenus du Xinjiang', summary: 'Fermez les camps et libérez toutes les personnes détenues sans inculpation.', body: 'Plus d’un million de personnes sont détenues.\n\n- Fermez les camps', target: 'Le gouvernement chinois' };
    const englishParts = [english.title, english.summary, 'Over a million people are held.', 'Close the camps', english.target];
    const flat = (text: string) => text.replace(/\s+/g, ' ');
    /** The packet's and the poster's text, for a new petition with one signer and a target in Paris. */
    const packetFor = async (overrides: Record<string, unknown>) => {
      const petition = await givenPetition(stack, { verification: 'none', ...english, ...overrides });
      const id = await petitionIdOf(stack.database.connection, petition.slug);
      await stack.services.targets.create(id, { name: 'Ambassade de Chine en France', recipientName: '', recipientTitle: 'Ambassadeur', city: 'Paris', country: 'FR', address: '11 avenue George V', language: 'fr', plannedAt: '', notes: '' }, 'test');
      const res = await postJson(`${stack.baseUrl}/api/v1/petitions/${petition.slug}/signatures`, aSigner({ firstName: 'Élodie', lastName: 'Durand', country: 'FR' }));
      assert.equal(res.status, 202, res.text);
      const packet = await stack.services.packets.generate({ slug: petition.slug, target: 'Paris', names: 'full' }, 'test@example.org');
      const files = await zipOf(packet.id);
      return { letter: flat(await pdfText(files.get('packet.pdf')!)), poster: flat(await pdfText(files.get('poster.pdf')!)) };
    };

    it('when the petition has a French text, then the letter and the poster carry it and none of the English text', async () => {
      const { letter, poster } = await packetFor({ translations: { fr: french } });

      assert.match(letter, /Au nom de 1 personne de 1 pays, .* vous remet la pétition « Libérez les détenus du Xinjiang », adressée à Le gouvernement chinois\./);
      const missing = [french.title, french.summary, 'Plus d’un million de personnes sont détenues.', '• Fermez les camps'].filter((text) => !letter.includes(text));
      assert.deepEqual(missing, [], 'French petition text missing from the letter');
      assert.deepEqual(englishParts.filter((text) => letter.includes(text) || poster.includes(text)), [], 'English petition text in the packet');
      assert.ok(poster.includes(french.title), poster);
      assert.doesNotMatch(letter, /langue d’origine/);
    });

    it('when the petition lacks French, then the French letter says it is attached in its original language and carries the English text', async () => {
      const { letter, poster } = await packetFor({});

      assert.match(letter, /Madame, Monsieur, Au nom de 1 personne de 1 pays/);
      assert.match(letter, /La pétition est jointe dans sa langue d’origine : anglais\./);
      const missing = [english.title, english.summary, 'Over a million people are held.', '• Close the camps'].filter((text) => !letter.includes(text));
      assert.deepEqual(missing, [], 'English petition text missing from the letter');
      assert.ok(poster.includes(english.title), poster);
    });
  });

  it('when the request is bad, then a 4xx names the problem and no packet is recorded', async () => {
    const count = (await stack.services.packets.list(petitionId)).length;
    const fails = async (over: Record<string, unknown>, status: number, field?: string) => {
      await assert.rejects(generate(over), (e: { status: number; fields?: Record<string, string> }) => e.status === status && (!field || !!e.fields?.[field]));
    };
    await fails({ cutoff: new Date(Date.now() + 3600_000) }, 422, 'cutoff');
    await fails({ countries: ['XX'] }, 422, 'countries');
    await fails({ names: 'everything' }, 422, 'names');
    await fails({ target: 'Atlantis' }, 404);
    await fails({ slug: 'no-such-petition' }, 404);
    assert.equal((await stack.services.packets.list(petitionId)).length, count);
  });
});
