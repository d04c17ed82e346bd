import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { csrfFrom, signedIn, type AdminClient } from './helpers/admin.js';
import { aSigner, getJson, givenPetition, postJson } from './helpers/builders.js';
import { startStack, type Stack } from './helpers/stack.js';
import { fieldValue, textOf } from './helpers/web-client.js';

// What the security review sent: a line break and a forged mail header in a one-line field.
const INJECTED = '\r\nBcc: x@evil.example';

let stack: Stack;
let organiser: AdminClient;
before(async () => {
  stack = await startStack();
  organiser = await signedIn(stack, 'organiser');
});
after(() => stack.stop());

const message = (code: string) => stack.services.i18n.t('en', `errors.field.${code}`);
const fieldError = (html: string, field: string) => textOf(html, new RegExp(`<p class="field-error" id="${field}-error">`));

const aTarget = (overrides: Record<string, string> = {}): Record<string, string> => ({
  name: 'Embassy of the People’s Republic of China, Paris',
  recipientName: 'Jane Official',
  recipientTitle: 'Ambassador',
  city: 'Paris',
  country: 'FR',
  address: '11 avenue George V\r\n75008 Paris',
  language: 'fr',
  plannedAt: '2026-12-10',
  notes: 'Meet at the corner.\r\n\tBring the banner.',
  ...overrides,
});
const addTarget = (slug: string, form: Record<string, string>) => organiser.submit(`/admin/petitions/${slug}/targets`, form, `/admin/petitions/${slug}/targets/new`);
const targetsOf = async (slug: string) => stack.services.targets.listForPetition((await stack.services.targets.petitionFor(slug)).id);

describe('control characters in delivery targets', () => {
  test('when a target’s city carries a CRLF and a Bcc header (the attack as found), then 422 names the city, nothing is stored and the public deliveries stay empty', async () => {
    const { slug } = await givenPetition(stack, { verification: 'none' });
    const res = await addTarget(slug, aTarget({ city: `Paris${INJECTED}` }));

    assert.equal(res.status, 422);
    assert.equal(fieldError(res.html, 'city'), message('single_line'));
    assert.equal(fieldValue(res.html, 'name'), aTarget().name, 'the form comes back as typed');
    assert.deepEqual(await targetsOf(slug), []);
    const deliveries = await getJson(`${stack.baseUrl}/api/v1/petitions/${slug}/deliveries`);
    assert.deepEqual(deliveries.body, { deliveries: [] });
  });

  test('when any one-line field of a target holds a control character, then that field is named; the address and notes keep their line breaks and tabs', async () => {
    const { slug } = await givenPetition(stack);
    const named: Record<string, string | undefined> = {};
    const hostile: [string, string][] = [['name', `Embassy${INJECTED}`], ['recipientName', 'Jane\u0000Official'], ['recipientTitle', 'Ambassador\u001b[31m'], ['city', 'Paris\tnord']];
    for (const [field, value] of hostile) {
      const res = await addTarget(slug, aTarget({ [field]: value }));
      named[field] = res.status === 422 ? fieldError(res.html, field) : `accepted with ${res.status}`;
    }
    assert.deepEqual(named, { name: message('single_line'), recipientName: message('single_line'), recipientTitle: message('single_line'), city: message('single_line') });
    assert.deepEqual(await targetsOf(slug), []);

    assert.equal((await addTarget(slug, aTarget())).status, 303, 'the baseline, with CRLF and a tab in the address and notes, is accepted');
    const [stored] = await targetsOf(slug);
    assert.deepEqual([stored?.address, stored?.notes], [aTarget().address, aTarget().notes]);

    const bell = await addTarget(slug, aTarget({ notes: 'Ring\u0007twice' }));
    assert.equal(bell.status, 422);
    assert.equal(fieldError(bell.html, 'notes'), message('control_characters'));
  });

  test('when a stored target is edited to carry a CRLF in its city, then 422 and the target is unchanged', async () => {
    const { slug } = await givenPetition(stack);
    const created = await addTarget(slug, aTarget());
    const id = created.location!.split('/').pop()!;
    const editPage = `/admin/petitions/${slug}/targets/${id}/edit`;
    const res = await organiser.submit(editPage, aTarget({ city: `Paris${INJECTED}` }), editPage);
    assert.equal(res.status, 422);
    assert.equal(fieldError(res.html, 'city'), message('single_line'));
    assert.equal((await stack.services.targets.find(id))?.city, 'Paris');
  });

  test('when a delivery is recorded by someone whose name carries a CRLF, then 422 names that field and nothing is recorded', async () => {
    const { slug } = await givenPetition(stack, { verification: 'none' });
    assert.equal((await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, aSigner())).status, 202);
    const id = (await addTarget(slug, aTarget())).location!.split('/').pop()!;
    const packet = await stack.services.packets.generate({ slug, target: id, names: 'full' }, 'test');
    const page = `/admin/petitions/${slug}/targets/${id}`;
    const form = new FormData();
    form.append('_csrf', csrfFrom((await organiser.get(page)).html));
    for (const [k, v] of Object.entries({ packetId: packet.id, deliveredAt: '2026-11-20', deliveredBy: `Tom${INJECTED}` })) form.append(k, v);
    const cookie = [...organiser.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(new URL(`${page}/deliver`, stack.baseUrl), { method: 'POST', body: form, headers: { cookie }, redirect: 'manual' });
    const html = await res.text();

    assert.equal(res.status, 422);
    assert.equal(fieldError(html, 'deliveredBy'), message('single_line'));
    assert.equal((await stack.services.targets.find(id))?.delivery ?? null, null);
  });
});
