import type { Stack } from './stack.js';

/** Every counter of the petition's tally document, flattened (`counts.GB`, `daily.2026-11-30`, `refs.x`, `pending` ...). */
export async function countersOf(stack: Stack, petitionId: string): Promise<Record<string, number>> {
  await stack.services.tallies.read(petitionId, { fresh: true });
  const doc = (await stack.database.connection.collection('tallies').findOne({ _id: petitionId as never })) ?? {};
  const out: Record<string, number> = {};
  for (const [group, value] of Object.entries(doc)) {
    if (typeof value === 'number') out[group] = value;
    else if (value && typeof value === 'object' && !(value instanceof Date) && group !== 'applied') {
      for (const [k, n] of Object.entries(value as Record<string, unknown>)) if (typeof n === 'number') out[`${group}.${k}`] = n;
    }
  }
  return out;
}
