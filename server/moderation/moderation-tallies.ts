import type { AffectedSignature } from '../signatures/index.js';
import { counter, type TallyChanges } from '../tallies/tally-service.js';

/**
 * The counters an invalidation (-1) or a restore (+1) moves: each signature leaves (or re-enters)
 * the counter that counted it, and the day it was counted on, and enters (or leaves) `invalidated`.
 */
export function tallyChanges(affected: Iterable<AffectedSignature>, direction: -1 | 1): TallyChanges {
  const changes = new Map<string, number>();
  const add = (field: string, n: number) => changes.set(field, (changes.get(field) ?? 0) + n);
  for (const s of affected) {
    if (s.was === 'pending') add(counter.pending, direction);
    else if (s.source === 'paper') {
      add(counter.paper(s.country), direction);
      add(counter.day(s.collectedAt ?? s.createdAt), direction);
    } else {
      add(counter.confirmed(s.country), direction);
      add(counter.day(s.confirmedAt ?? s.createdAt), direction);
    }
    add(counter.invalidated, -direction);
  }
  return Object.fromEntries([...changes].filter(([, n]) => n !== 0));
}

/**
 * The personal share codes' counters an invalidation (-1) or a restore (+1) moves: a signature counted for the
 * link it came through leaves (or re-enters) that count. A pending one was never counted for it. Withdrawing a
 * signature (issue 12) moves them the same way.
 */
export function viaChanges(affected: Iterable<AffectedSignature>, direction: -1 | 1): Map<string, number> {
  const changes = new Map<string, number>();
  for (const s of affected) if (s.via && s.was === 'confirmed') changes.set(s.via, (changes.get(s.via) ?? 0) + direction);
  return changes;
}
