import { randomBytes } from 'node:crypto';
import type { AuditLog } from '../audit/audit-repository.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { Petition } from '../petitions/petition-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import { AppError, ValidationError } from '../shared/errors.js';
import type { AffectedSignature, Signature, SignatureCriteria, SignatureInvalidationRepository, SignatureSearchRepository } from '../signatures/index.js';
import type { TallyService } from '../tallies/tally-service.js';
import { filterCriteria, hasFilters, nameMatcher, redactFilters, type SignatureFilters } from './moderation-filters.js';
import type { ModerationRunRepository } from './moderation-run-repository.js';
import { tallyChanges, viaChanges } from './moderation-tallies.js';
import type { ShareCodeService } from '../sharing/index.js';

interface Deps {
  petitions: Pick<PetitionRepository, 'findBySlug'>;
  signatures: Pick<SignatureSearchRepository, 'count' | 'search'>;
  invalidation: SignatureInvalidationRepository;
  runs: ModerationRunRepository;
  tallies: Pick<TallyService, 'change'>;
  shareCodes: Pick<ShareCodeService, 'change'>;
  audit: Pick<AuditLog, 'record'>;
  protector: DataProtector;
  clock: () => Date;
}

type Counted = 'pending' | 'confirmed';

export const RUN_ID = /^[A-Za-z0-9_-]{16}$/;
const newId = () => randomBytes(12).toString('base64url');

/** A search result: what helps judge a signature, never the email address itself or the postcode. */
export interface SearchRow {
  createdAt: Date;
  country: string;
  status: Signature['status'];
  source: Signature['source'];
  firstName: string;
  lastName: string;
  ref: string | null;
  /** Enough of the keyed hash to tell addresses apart at a glance. */
  ipHashPrefix: string | null;
  domain: string | null;
}

const toRow = (s: Signature): SearchRow => ({
  createdAt: s.createdAt,
  country: s.country,
  status: s.status,
  source: s.source,
  firstName: s.details.firstName,
  lastName: s.details.lastName,
  ref: s.ref,
  ipHashPrefix: s.ipHash ? s.ipHash.slice(0, 10) : null,
  domain: s.details.email.includes('@') ? (s.details.email.split('@').pop() ?? null) : null,
});

export type InvalidateOutcome = { status: 'done'; runId: string; invalidated: number } | { status: 'changed'; count: number };

export function createModerationService({ petitions, signatures, invalidation, runs, tallies, shareCodes, audit, protector, clock }: Deps) {
  async function changeCounts(petitionId: string, changed: AffectedSignature[], direction: -1 | 1): Promise<void> {
    await tallies.change(petitionId, tallyChanges(changed, direction));
    for (const [code, by] of viaChanges(changed, direction)) await shareCodes.change(code, petitionId, by);
  }

  async function petitionOf(slug: string): Promise<Petition> {
    const petition = await petitions.findBySlug(slug);
    if (!petition) throw new AppError(404, 'petition_not_found', 'There is no petition at this address.');
    return petition;
  }

  // One run at a time per petition in this process, so a preview's count and its run see the same rows
  // and two clicks on Restore cannot both count the same signatures back.
  const queues = new Map<string, Promise<unknown>>();
  function exclusive<T>(key: string, task: () => Promise<T>): Promise<T> {
    const next = (queues.get(key) ?? Promise.resolve()).then(task, task);
    queues.set(key, next.catch(() => undefined));
    return next;
  }

  /** Matching signatures, decrypted; with a name filter every candidate is decrypted to test it. */
  async function* matching(filters: SignatureFilters, criteria: SignatureCriteria, limit?: number): AsyncGenerator<Signature> {
    const matchName = nameMatcher(filters.name);
    let n = 0;
    for await (const signature of signatures.search(criteria, matchName ? undefined : limit)) {
      if (matchName && !matchName(signature.details)) continue;
      yield signature;
      if (limit && ++n >= limit) return;
    }
  }

  /** The first `limit` matching signatures and how many match in all. A search shows signers, so it is audited like an export. */
  async function search(slug: string, filters: SignatureFilters, { actor, limit = 100 }: { actor: string; limit?: number }) {
    const petition = await petitionOf(slug);
    const criteria = filterCriteria(petition.id, filters, protector);
    const rows: SearchRow[] = [];
    let count = 0;
    if (!filters.name) {
      for await (const s of matching(filters, criteria, limit)) rows.push(toRow(s));
      count = await signatures.count(criteria);
    } else {
      for await (const s of matching(filters, criteria)) if (++count <= limit) rows.push(toRow(s));
    }
    await audit.record({ actor, action: 'moderation.search', petition: petition.slug, details: { filters: redactFilters(filters), shown: rows.length }, rows: count });
    return { petition, count, rows };
  }

  /** Only pending and confirmed signatures can be invalidated; a status filter narrows that further. */
  const countedStatuses = (filters: SignatureFilters): Counted[] =>
    (['confirmed', 'pending'] as const).filter((s) => !filters.status || filters.status === s);

  /** What a run would change: a count, plus the ids when a name filter means they were found by decryption. */
  async function targets(petition: Petition, filters: SignatureFilters) {
    const statuses = countedStatuses(filters);
    const criteria = filterCriteria(petition.id, filters, protector);
    if (statuses.length === 0) return { statuses, criteria, count: 0, found: [] as { id: string; status: Counted }[] };
    const candidates = { ...criteria, status: statuses };
    if (!filters.name) return { statuses, criteria, count: await signatures.count(candidates), found: null };
    const found: { id: string; status: Counted }[] = [];
    for await (const s of matching(filters, candidates)) if (s.status !== 'invalidated') found.push({ id: s.id, status: s.status });
    return { statuses, criteria, count: found.length, found };
  }

  // A count by filter tells whether an address or a name signed, so every count shown is audited too.
  const recordCount = (actor: string, petition: Petition, filters: SignatureFilters, count: number) =>
    audit.record({ actor, action: 'moderation.preview', petition: petition.slug, details: { filters: redactFilters(filters) }, rows: count });

  async function preview(slug: string, filters: SignatureFilters, { actor }: { actor: string }) {
    const petition = await petitionOf(slug);
    const { count } = await exclusive(petition.id, () => targets(petition, filters));
    await recordCount(actor, petition, filters, count);
    return { petition, count };
  }

  async function invalidate(slug: string, filters: SignatureFilters, { expected, actor }: { expected: number; actor: string }): Promise<InvalidateOutcome> {
    if (!hasFilters(filters)) throw new ValidationError({ filters: 'filters_required' });
    const petition = await petitionOf(slug);
    return exclusive(petition.id, async (): Promise<InvalidateOutcome> => {
      const { statuses, criteria, count, found } = await targets(petition, filters);
      if (count !== expected) {
        await recordCount(actor, petition, filters, count);
        return { status: 'changed', count };
      }
      const runId = newId();
      const at = clock();
      const redacted = redactFilters(filters);
      await runs.insert({ id: runId, petitionId: petition.id, at, actor, filters: redacted, invalidated: 0 });
      let changed: AffectedSignature[] = [];
      if (found) {
        for (const { id, status } of found) {
          const one = await invalidation.invalidateOne(id, status, runId, at);
          if (one) changed.push(one);
        }
      } else {
        for (const status of statuses) await invalidation.invalidate(criteria, status, runId, at);
        changed = await invalidation.changedBy('invalidationRun', runId);
      }
      await changeCounts(petition.id, changed, -1);
      await runs.finish(runId, changed.length);
      await audit.record({ actor, action: 'moderation.invalidate', petition: slug, details: { filters: redacted, runId }, rows: changed.length });
      return { status: 'done', runId, invalidated: changed.length };
    });
  }

  /** Puts back exactly the signatures a run invalidated, each to the status it had. */
  async function restore(slug: string, runId: string, { actor }: { actor: string }): Promise<{ restored: number }> {
    const petition = await petitionOf(slug);
    return exclusive(petition.id, async () => {
      const run = await runs.findById(runId);
      if (!run || run.petitionId !== petition.id) throw new AppError(404, 'run_unknown', 'There is no such moderation run for this petition.');
      if (run.restoredAt) throw new AppError(409, 'run_restored', 'This run has already been restored.');
      const restoreId = newId();
      for (const to of ['confirmed', 'pending'] as const) await invalidation.restore(petition.id, runId, to, restoreId);
      const changed = await invalidation.changedBy('restoreRun', restoreId);
      await changeCounts(petition.id, changed, 1);
      await runs.markRestored(runId, actor, clock(), changed.length);
      await audit.record({ actor, action: 'moderation.restore', petition: slug, details: { filters: run.filters, runId }, rows: changed.length });
      return { restored: changed.length };
    });
  }

  return {
    petitionOf,
    search,
    preview,
    invalidate,
    restore,
    recentRuns: (petitionId: string) => runs.latest(petitionId, 10),
  };
}

export type ModerationService = ReturnType<typeof createModerationService>;
