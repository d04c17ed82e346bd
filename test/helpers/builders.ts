import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { NewPetition } from '../../server/petitions/petition-types.js';
import { petitionIdOf } from './export-signatures.js';
import { confirmTokenFrom } from './smtp.js';
import type { Stack } from './stack.js';

const unique = () => randomBytes(4).toString('hex');

export function aPetition(overrides: Partial<NewPetition> = {}): NewPetition {
  return {
    slug: `petition-${unique()}`,
    title: 'Release the detained',
    summary: 'A short summary.',
    body: 'The first paragraph.\n\nThe second paragraph.',
    target: 'A government',
    goal: 1000,
    status: 'open',
    verification: 'email',
    ...overrides,
  };
}

export function aSigner(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { firstName: 'Mihrigul', lastName: 'Tursun', email: `signer-${unique()}@example.org`, country: 'GB', ...overrides };
}

export async function givenPetition(stack: Stack, overrides: Partial<NewPetition> = {}): Promise<NewPetition> {
  const petition = aPetition(overrides);
  await stack.services.petitionService.create(petition);
  return petition;
}

export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown; text: string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: the test will say so
  }
  return { status: res.status, body: parsed, text };
}

export async function getJson<T = Record<string, unknown>>(url: string): Promise<{ status: number; body: T; headers: Headers }> {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as T, headers: res.headers };
}

/** A signer as the HTML form posts it: every value a string. */
export const asForm = (signer: Record<string, unknown>): Record<string, string> => Object.fromEntries(Object.entries(signer).map(([k, v]) => [k, String(v)]));

export type Signer = Record<string, unknown> & { email: string };

/** A signer who signed through the API and, with `confirm`, followed the link of the confirmation email. */
export async function givenSigner(stack: Stack, slug: string, overrides: Record<string, unknown>, confirm: boolean): Promise<Signer> {
  const signer = aSigner(overrides) as Signer;
  assert.equal((await postJson(`${stack.baseUrl}/api/v1/petitions/${slug}/signatures`, signer)).status, 202);
  if (confirm) {
    await stack.smtp.waitFor(() => stack.smtp.to(signer.email).length >= 1);
    const token = confirmTokenFrom(stack.smtp.to(signer.email)[0]!);
    assert.equal((await postJson(`${stack.baseUrl}/api/v1/confirm/${token}`, '')).status, 200);
  }
  return signer;
}

/**
 * A packet of the petition as it is now, handed over at an embassy in `city` on `deliveredAt` (as services, not
 * through the workspace forms, which the delivery tests cover).
 */
export async function givenDelivery(stack: Stack, slug: string, place: { city: string; country: string; language?: string; deliveredAt: string }) {
  const target = await stack.services.targets.create(
    await petitionIdOf(stack.database.connection, slug),
    { name: 'Embassy', recipientName: '', recipientTitle: 'Ambassador', city: place.city, country: place.country, address: '1 Road', language: place.language ?? 'en', plannedAt: '', notes: '' },
    'test',
  );
  const packet = await stack.services.packets.generate({ slug, target: place.city, names: 'full' }, 'test@example.org', () => Promise.resolve());
  await stack.services.targets.markDelivered(target.id, { deliveredAt: place.deliveredAt, deliveredBy: 'Team', notes: '', packetId: packet.id, photoPublic: '' }, null, 'test');
  return { target, packet };
}
