import { Schema, Types, type Connection } from 'mongoose';
import { createBatcher } from '../shared/batcher.js';
import { insertEach, withRetry } from '../db/transient.js';
import { isDuplicateKey } from '../shared/db-errors.js';
import type { ClaimedJob, Lane, OutboxJob } from './message-kinds.js';

export type { ClaimedJob, OutboxJob } from './message-kinds.js';

/**
 * Jobs carry references plus the recipient sealed (sealed-recipient.ts), so that sending a first email never has
 * to read the signatures collection. What each kind of job holds is its feature's (message-kinds.ts).
 *
 * Each lane is its own collection, so finding the next urgent job never reads past a mailing's backlog on the
 * embedded database.
 */
// A pass takes at most this many bulk jobs, so that an urgent job queued meanwhile waits for at most one short pass.
const BULK_PER_PASS = 100;

/** What every message of one mailing (e.g. one delivery's update) says alike; nothing personal. */
export type MailingContent = Record<string, unknown>;

// String ids, chosen by the caller: lookups are by `_id` alone (docs/embedded-database.md#access-paths).
const outboxSchema = new Schema(
  {
    _id: String,
    kind: { type: String, required: true },
    payload: { type: Schema.Types.Mixed, required: true },
    status: { type: String, required: true },
    attempts: { type: Number, required: true },
    nextAttemptAt: { type: Date, required: true },
    createdAt: { type: Date, required: true },
    lastError: String,
  },
  { collection: 'outbox', versionKey: false },
);
outboxSchema.index({ status: 1, nextAttemptAt: 1 });
const bulkSchema = outboxSchema.clone();
bulkSchema.set('collection', 'outbox_bulk');

const claimSchema = new Schema({ _id: String, at: Date }, { collection: 'outbox_claims', versionKey: false });
// One document per job id ever sent under a caller-chosen id: the outbox deletes sent jobs, so the
// same id could be enqueued again later; this collection only grows by inserts and is never queried.
const sentSchema = new Schema({ _id: String, at: Date }, { collection: 'outbox_sent', versionKey: false });
// Jobs finished per mailing (MessageKind.mailingOf): a progress bar reads one small document by `_id` instead of
// counting the jobs left, which would read the whole bulk lane (300,000 jobs for the model campaign) on every poll.
const progressSchema = new Schema({ _id: String, handled: Number }, { collection: 'outbox_progress', versionKey: false });
// `queuingUntil`: set while its jobs are being queued, until when the queuing instance holds it (mail/mailing-queuing.ts).
const mailingSchema = new Schema({ _id: String, content: Schema.Types.Mixed, at: Date, queuingUntil: Date }, { collection: 'outbox_mailings', versionKey: false, minimize: false });
// Signature ids of signers who stopped update emails, read by `_id` before each update email: a small
// collection of its own, so that sending never reads the signatures (docs/embedded-database.md#access-paths).
const updateOptOutSchema = new Schema({ _id: String, at: Date }, { collection: 'update_optouts', versionKey: false });

// With the enqueue time: a job queued again under an id sent before (see enqueueMany) is a new job,
// and must not find the old job's claims taken.
const claimId = (job: { _id: string; createdAt: Date }, attempt: number) => `${job._id}:${job.createdAt.getTime()}:${attempt}`;

/** `laneOf` comes from the registered kinds; without it (the repository tested alone) every job is bulk. */
export function createOutboxRepository(connection: Connection, laneOf: (kind: string) => Lane = () => 'bulk') {
  const lanes = { urgent: connection.model('OutboxMessage', outboxSchema), bulk: connection.model('OutboxBulkMessage', bulkSchema) };
  const inLane = <T extends { kind: string }>(items: T[], lane: Lane) => items.filter((item) => laneOf(item.kind) === lane);
  const Claims = connection.model('OutboxClaim', claimSchema);
  const Sent = connection.model('OutboxSent', sentSchema);
  const Mailings = connection.model('OutboxMailing', mailingSchema);
  const Progress = connection.model('OutboxProgress', progressSchema);
  // One count at a time in this process: FerretDB's `$inc` is read-modify-write, and two at once on one document lose one.
  let counting: Promise<unknown> = Promise.resolve();
  const UpdateOptOuts = connection.model('UpdateOptOut', updateOptOutSchema);
  const queued = (id: string, job: OutboxJob, at: Date) => ({ _id: id, ...job, status: 'queued', attempts: 0, nextAttemptAt: at, createdAt: at });

  // Ids are chosen here, so a retry after a locked database cannot queue a job twice.
  const enqueue = createBatcher<{ job: OutboxJob; at: Date }, void>(async (items) => {
    const withIds = items.map(({ job, at }) => ({ kind: job.kind, doc: queued(new Types.ObjectId().toHexString(), job, at) }));
    for (const lane of ['urgent', 'bulk'] as const) {
      const docs = inLane(withIds, lane).map((w) => w.doc);
      if (docs.length) await insertEach(lanes[lane].collection, docs);
    }
    return items.map(() => undefined);
  });

  return {
    async init() {
      await Promise.all([lanes.urgent.createIndexes(), lanes.bulk.createIndexes()]);
    },
    enqueue: (job: OutboxJob, at: Date) => enqueue({ job, at }),
    /**
     * Jobs under ids the caller derives from what they are about (e.g. one per delivery and signer):
     * an id already queued is skipped, so enqueueing the same jobs twice, even concurrently, queues
     * each once. Returns how many were new. Pair with `takeSent` when sending, since sent jobs are deleted.
     */
    async enqueueMany(jobs: { id: string; job: OutboxJob }[], at: Date): Promise<number> {
      let duplicates = 0;
      for (const lane of ['urgent', 'bulk'] as const) {
        const docs = jobs.filter(({ job }) => laneOf(job.kind) === lane).map(({ id, job }) => queued(id, job, at));
        if (docs.length) duplicates += (await insertEach(lanes[lane].collection, docs)).size;
      }
      return jobs.length - duplicates;
    },
    /**
     * Marks jobs as being sent, in one insert; returns the ids sent before by an earlier job under the
     * same id, to be skipped. A retry (attempt > 0) may find its own mark from a failed first attempt,
     * so only a first attempt takes a duplicate mark as "already sent".
     */
    async takeSent(jobs: Pick<ClaimedJob, 'id' | 'attempts'>[], at: Date): Promise<Set<string>> {
      const duplicates = await insertEach(Sent.collection, jobs.map((j) => ({ _id: j.id, at })));
      return new Set(jobs.filter((j, index) => duplicates.has(index) && j.attempts === 0).map((j) => j.id));
    },
    /** Stores a mailing's shared content; saving again replaces it, so messages not yet sent carry a correction. */
    async saveMailing(id: string, content: MailingContent, at: Date): Promise<void> {
      const save = () => Mailings.collection.findOneAndUpdate({ _id: id as never }, { $set: { content, at } }, { upsert: true });
      // Two concurrent upserts may both try the insert; the loser finds the document there on its second go.
      await save().catch((error: unknown) => (isDuplicateKey(error) ? save() : Promise.reject(error as Error)));
    },
    /** The queuer's hold on a mailing: taken (`create`, making the record if there is none) and renewed (not bringing back a deleted mailing). */
    async holdMailing(id: string, until: Date, create = false): Promise<void> {
      const hold = () => Mailings.collection.updateOne({ _id: id as never }, { $set: { queuingUntil: until } }, { upsert: create });
      await withRetry(() => hold().catch((error: unknown) => (isDuplicateKey(error) ? hold() : Promise.reject(error as Error))));
    },
    /** Takes over a mailing whose queuer's hold lapsed: true for one caller until `until`. */
    async claimMailing(id: string, now: Date, until: Date): Promise<boolean> {
      return (await Mailings.collection.findOneAndUpdate({ _id: id as never, queuingUntil: { $lt: now } }, { $set: { queuingUntil: until } })) !== null;
    },
    async finishMailing(id: string): Promise<void> {
      await withRetry(() => Mailings.collection.updateOne({ _id: id as never }, { $unset: { queuingUntil: '' } }));
    },
    /** Mailings being queued, or cut short. A whole-collection read of a small collection (a mailing per delivery or update), hourly. */
    async unfinishedMailings(): Promise<string[]> {
      return (await Mailings.collection.find<{ _id: string }>({ queuingUntil: { $exists: true } }, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
    },
    /** Messages of a mailing that is gone are dropped unsent. */
    async deleteMailing(id: string): Promise<void> {
      await Mailings.collection.findOneAndDelete({ _id: id as never });
    },
    async findMailing(id: string): Promise<MailingContent | null> {
      const doc = await Mailings.findById(id).lean<{ content: MailingContent }>();
      return doc?.content ?? null;
    },
    /** Adds finished jobs to their mailings' counts (see progressSchema). */
    countHandled(counts: Map<string, number>): Promise<void> {
      const next = counting.then(async () => {
        for (const [mailing, n] of counts) await withRetry(() => Progress.collection.updateOne({ _id: mailing as never }, { $inc: { handled: n } }, { upsert: true }));
      });
      counting = next.catch(() => undefined);
      return next;
    },
    /** Jobs of a mailing finished so far. A job finished twice (a crash between its count and its removal) counts twice: read it as "at least". */
    async handled(mailing: string): Promise<number> {
      return (await Progress.findById(mailing).lean<{ handled: number }>())?.handled ?? 0;
    },
    /**
     * A retention purge (signatures/signature-purge.ts): every job still queued for this petition's signers, in both
     * lanes. Sent jobs are deleted already, so the lanes are short; each is read once and deleted by `_id`.
     */
    async deleteForPetition(petitionId: string): Promise<number> {
      let deleted = 0;
      for (const lane of Object.values(lanes)) {
        const docs = await withRetry(() => lane.collection.find<{ _id: string; payload?: { petitionId?: unknown; signatureId?: unknown } }>({}, { projection: { _id: 1, 'payload.petitionId': 1, 'payload.signatureId': 1 } }).toArray());
        const ids = docs.filter((d) => d.payload?.petitionId === petitionId || (typeof d.payload?.signatureId === 'string' && d.payload.signatureId.startsWith(`${petitionId}:`))).map((d) => d._id);
        if (ids.length) deleted += (await withRetry(() => lane.collection.deleteMany({ _id: { $in: ids as never[] } }))).deletedCount;
      }
      return deleted;
    },
    /** Idempotent: a second opt-out of the same signature is a duplicate id, ignored. */
    async optOutOfUpdates(signatureId: string, at: Date): Promise<void> {
      await insertEach(UpdateOptOuts.collection, [{ _id: signatureId, at }]);
    },
    /** Read for every update email just before it goes out, so an unsubscribe counts at once. */
    async optedOutOfUpdates(signatureId: string): Promise<boolean> {
      return (await UpdateOptOuts.findById(signatureId).lean()) !== null;
    },
    /**
     * Claims due jobs for this worker. A claim is the insert of `<jobId>:<enqueued>:<attempt>`: exactly one
     * instance wins each attempt. A claim older than `leaseMs` belongs to a worker that died; the
     * job then moves on to its next attempt number, which can be claimed afresh.
     */
    async claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
      // No sort: the embedded database would then decode the whole queue to order it; unsorted, its
      // filter stops after `limit` matches in insertion order, which is the order we want anyway.
      const dueIn = (lane: Lane, n: number) =>
        withRetry(() =>
          lanes[lane]
            .find({ status: 'queued', nextAttemptAt: { $lte: now } })
            .limit(n)
            .lean<{ _id: string; kind: string; payload: OutboxJob['payload']; attempts: number; createdAt: Date }[]>(),
        );
      const urgent = await dueIn('urgent', limit);
      const room = Math.min(limit - urgent.length, BULK_PER_PASS);
      const due = room > 0 ? [...urgent, ...(await dueIn('bulk', room))] : urgent;
      if (due.length === 0) return [];
      const claimIds = due.map((d) => claimId(d, d.attempts));
      const lost = await insertEach(Claims.collection, claimIds.map((_id) => ({ _id, at: now })));
      for (const index of lost) {
        // Claimed by someone else; if that claim is older than the lease, its worker died: move the
        // job to its next attempt number so that it can be claimed afresh.
        const doc = due[index]!;
        const claim = await Claims.findById(claimIds[index]).lean<{ at: Date }>();
        if (claim && now.getTime() - claim.at.getTime() > leaseMs) {
          await lanes[laneOf(doc.kind)].updateOne({ _id: doc._id }, { $set: { attempts: doc.attempts + 1 } });
        }
      }
      return due
        .filter((_, index) => !lost.has(index))
        .map((d) => ({ id: d._id, kind: d.kind, payload: d.payload, attempts: d.attempts }));
    },
    /**
     * One write per batch: on the embedded database a delete reads the whole queue
     * (docs/embedded-database.md), so deleting one by one would cost O(queue) per email. Claims are kept (maintenance removes them a day later): another
     * instance may still hold a stale read of these jobs, and must find their claims taken.
     */
    async completeMany(jobs: Pick<ClaimedJob, 'id' | 'kind'>[]): Promise<void> {
      for (const lane of ['urgent', 'bulk'] as const) {
        const ids = inLane(jobs, lane).map((j) => j.id);
        if (ids.length) await withRetry(() => lanes[lane].deleteMany({ _id: { $in: ids } }));
      }
    },
    async retryLater(job: Pick<ClaimedJob, 'id' | 'attempts' | 'kind'>, nextAttemptAt: Date, error: string): Promise<void> {
      // The next attempt has a new number, hence a new claim; this attempt's claim stays taken.
      await withRetry(() => lanes[laneOf(job.kind)].updateOne({ _id: job.id }, { $set: { attempts: job.attempts + 1, nextAttemptAt, lastError: error } }));
    },
    async fail(job: Pick<ClaimedJob, 'id' | 'attempts' | 'kind'>, error: string): Promise<void> {
      await withRetry(() => lanes[laneOf(job.kind)].updateOne({ _id: job.id }, { $set: { status: 'failed', attempts: job.attempts + 1, lastError: error } }));
    },
    /** Claims are kept a day to fend off stale reads, then removed here: FerretDB has no TTL indexes. */
    async deleteStaleClaims(before: Date): Promise<number> {
      return (await Claims.deleteMany({ at: { $lt: before } })).deletedCount;
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
