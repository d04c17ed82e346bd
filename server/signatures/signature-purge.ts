import type { Logger } from 'pino';
import type { Petition } from '../petitions/petition-types.js';
import type { SignaturePurgeRepository } from './signature-purge-repository.js';
import type { SignatureWithdrawal } from './signature-withdrawal.js';

const DAY_MS = 24 * 3600_000;

interface Deps {
  petitions: { listAll(): Promise<Petition[]>; findBySlug(slug: string): Promise<Petition | null> };
  /** When the petition's last delivery was, or null before any. */
  lastDelivery: (petitionId: string) => Promise<Date | null>;
  repo: SignaturePurgeRepository;
  withdrawal: Pick<SignatureWithdrawal, 'withdraw'>;
  outbox: { deleteForPetition(petitionId: string): Promise<number> };
  audit: { record(entry: { actor: string; action: string; petition: string | null; details: Record<string, unknown>; rows: number | null }): Promise<void> };
  clock: () => Date;
  config: { tokenTtlHours: number; graceDays: number };
  logger?: Pick<Logger, 'info'>;
}

/** What a petition's rule still waits for before it gives a date. */
export type RetentionWait = 'close' | 'delivery' | null;

/**
 * When a petition's rule makes its signers' personal data go (null while the moment it counts from has not
 * come), and what it waits for. "After the last delivery" counts only once the petition has closed: while it
 * is open, a campaign handing over at nine embassies in turn has not made its last delivery, and the next
 * packets need the names.
 */
export function purgeDate(petition: Pick<Petition, 'status' | 'closesAt' | 'updatedAt' | 'retention'>, lastDelivery: Date | null, now: Date): { date: Date | null; waiting: RetentionWait } {
  // A petition closed by hand has no closing time of its own; its last change is that time or later, never earlier.
  const closedAt = petition.closesAt && petition.closesAt <= now ? petition.closesAt : petition.status === 'closed' ? petition.updatedAt : null;
  const waiting: RetentionWait = !closedAt ? 'close' : petition.retention.after === 'delivered' && !lastDelivery ? 'delivery' : null;
  const from = petition.retention.after === 'closed' ? closedAt : lastDelivery;
  return { date: from && !waiting ? new Date(from.getTime() + petition.retention.days * DAY_MS) : null, waiting };
}

export interface PurgePlan {
  /** Petitions whose rule's date has passed, with the signatures that still hold personal data. */
  petitions: { petition: Pick<Petition, 'id' | 'slug'>; ids: string[] }[];
  /** Unconfirmed signatures whose link expired more than the grace period ago, by petition id. */
  unconfirmed: Map<string, string[]>;
  slugs: Map<string, string>;
}

export interface PurgeReport {
  dryRun: boolean;
  petitions: { slug: string; signatures: number; unconfirmed: number }[];
}

/**
 * Retention: deletes the personal data a petition's rule no longer allows, and unconfirmed signatures
 * nobody confirmed in time. A petition's signatures keep their status, country, dates and referral
 * fields, so every count stays as it was and equals a recount; packets keep their manifests and roots,
 * and a receipt's proof needs only its own record and salt (receipts/receipt-verifier.ts). An expired
 * unconfirmed signature is withdrawn (signature-withdrawal.ts): its pending count goes down exactly once,
 * crash-safe under the journal.
 */
export function createSignaturePurge({ petitions, lastDelivery, repo, withdrawal, outbox, audit, clock, config, logger }: Deps) {
  async function plan(now = clock()): Promise<PurgePlan> {
    const all = await petitions.listAll();
    const due: Petition[] = [];
    for (const p of all) {
      const at = purgeDate(p, p.retention.after === 'delivered' ? await lastDelivery(p.id) : null, now).date;
      if (at && at <= now) due.push(p);
    }
    const unpurged = await repo.unpurged(due.map((p) => p.id));
    const before = new Date(now.getTime() - config.tokenTtlHours * 3600_000 - config.graceDays * DAY_MS);
    const unconfirmed = new Map<string, string[]>();
    for (const { id, petitionId } of await repo.expiredPending(before)) unconfirmed.set(petitionId, [...(unconfirmed.get(petitionId) ?? []), id]);
    return { petitions: due.map((p) => ({ petition: p, ids: unpurged.get(p.id) ?? [] })), unconfirmed, slugs: new Map(all.map((p) => [p.id, p.slug])) };
  }

  /** `actor`: "maintenance", or `cli:<user>` for the command. A dry run reports what a run would delete and changes nothing. */
  async function run({ actor, dryRun = false }: { actor: string; dryRun?: boolean }): Promise<PurgeReport> {
    const now = clock();
    const { petitions: due, unconfirmed, slugs } = await plan(now);
    const dueIds = due.map((d) => d.petition.id);
    const report: PurgeReport = { dryRun, petitions: [] };
    for (const petitionId of new Set([...dueIds, ...unconfirmed.keys()])) {
      const expired = unconfirmed.get(petitionId) ?? [];
      const ids = due.find((d) => d.petition.id === petitionId)?.ids ?? [];
      const signatures = ids.length;
      const slug = slugs.get(petitionId) ?? petitionId;
      if (!dryRun) {
        for (const id of expired) await withdrawal.withdraw(id, []);
        if (dueIds.includes(petitionId)) {
          await repo.purge(ids, now);
          await repo.deleteTokens([petitionId]);
          await outbox.deleteForPetition(petitionId);
        }
        if (signatures + expired.length > 0) {
          await audit.record({ actor, action: 'retention.purge', petition: slug, details: { signatures, unconfirmed: expired.length }, rows: signatures + expired.length });
        }
      }
      if (signatures + expired.length > 0) report.petitions.push({ slug, signatures, unconfirmed: expired.length });
    }
    if (!dryRun && report.petitions.length) logger?.info({ petitions: report.petitions.length }, 'retention purge deleted personal data');
    return report;
  }

  /** For the dashboard: the petition's rule and the date it gives (null until the moment it counts from). */
  async function schedule(slug: string): Promise<{ rule: Petition['retention']; date: Date | null; waiting: RetentionWait; passed: boolean; unconfirmedDays: number } | null> {
    const petition = await petitions.findBySlug(slug);
    if (!petition) return null;
    const now = clock();
    const { date, waiting } = purgeDate(petition, petition.retention.after === 'delivered' ? await lastDelivery(petition.id) : null, now);
    const unconfirmedDays = unconfirmedKeptDays(config);
    return { rule: petition.retention, date, waiting, passed: !!date && date <= now, unconfirmedDays };
  }

  return { plan, run, schedule };
}

export type SignaturePurge = ReturnType<typeof createSignaturePurge>;

/** Days after signing that an unconfirmed signature is deleted: its link's lifetime plus the grace period, rounded up. */
export const unconfirmedKeptDays = ({ tokenTtlHours, graceDays }: { tokenTtlHours: number; graceDays: number }): number => Math.ceil(tokenTtlHours / 24 + graceDays);
