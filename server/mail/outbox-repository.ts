import { Schema, Types, type Connection } from 'mongoose';
import { createBatcher } from '../shared/batcher.js';
import { isDuplicateKey } from '../shared/db-errors.js';

/**
 * A job holds references, plus the recipient's first name and address sealed with AES-GCM (bound
 * to the signature id), so that sending a first email never has to read the signatures collection.
 */
export interface OutboxJob {
  kind: 'signature-mail';
  payload: { petitionId: string; signatureId: string; country: string; firstSubmission: boolean; lang: string; recipient: string };
}

export interface ClaimedJob extends OutboxJob {
  id: string;
  attempts: number;
}

// String ids: FerretDB 1.x filters `{_id: <string>}` in SQL, several times faster here than `{_id: <ObjectId>}`.
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

const claimSchema = new Schema({ _id: String, at: Date }, { collection: 'outbox_claims', versionKey: false });

const claimId = (jobId: string, attempt: number) => `${jobId}:${attempt}`;

export function createOutboxRepository(connection: Connection) {
  const Outbox = connection.model('OutboxMessage', outboxSchema);
  const Claims = connection.model('OutboxClaim', claimSchema);

  const enqueue = createBatcher<{ job: OutboxJob; at: Date }, void>(async (items) => {
    await Outbox.collection.insertMany(
      items.map(({ job, at }) => ({ _id: new Types.ObjectId().toHexString() as never, ...job, status: 'queued', attempts: 0, nextAttemptAt: at, createdAt: at })),
      { ordered: true },
    );
    return items.map(() => undefined);
  });

  return {
    async init() {
      await Outbox.createIndexes();
    },
    enqueue: (job: OutboxJob, at: Date) => enqueue({ job, at }),
    /**
     * Claims due jobs for this worker. A claim is the insert of `<jobId>:<attempt>`: exactly one
     * instance wins each attempt. A claim older than `leaseMs` belongs to a worker that died; the
     * job then moves on to its next attempt number, which can be claimed afresh.
     */
    async claimDue(now: Date, limit: number, leaseMs: number): Promise<ClaimedJob[]> {
      // No sort: FerretDB would then decode the whole queue to order it; unsorted, its filter stops
      // after `limit` matches in insertion order, which is the order we want anyway.
      const due = await Outbox.find({ status: 'queued', nextAttemptAt: { $lte: now } })
        .limit(limit)
        .lean<{ _id: string; kind: OutboxJob['kind']; payload: OutboxJob['payload']; attempts: number }[]>();
      if (due.length === 0) return [];
      const claimIds = due.map((d) => claimId(d._id, d.attempts));
      const lost = new Set<number>();
      try {
        await Claims.collection.insertMany(claimIds.map((_id) => ({ _id: _id as never, at: now })), { ordered: false });
      } catch (error) {
        const writeErrors = (error as { writeErrors?: { index: number; code: number }[] }).writeErrors;
        if (!writeErrors || writeErrors.some((w) => !isDuplicateKey(w))) throw error;
        for (const w of writeErrors) lost.add(w.index);
      }
      for (const index of lost) {
        // Claimed by someone else; if that claim is older than the lease, its worker died: move the
        // job to its next attempt number so that it can be claimed afresh.
        const doc = due[index]!;
        const claim = await Claims.findById(claimIds[index]).lean<{ at: Date }>();
        if (claim && now.getTime() - claim.at.getTime() > leaseMs) {
          await Outbox.updateOne({ _id: doc._id }, { $set: { attempts: doc.attempts + 1 } });
        }
      }
      return due
        .filter((_, index) => !lost.has(index))
        .map((d) => ({ id: d._id, kind: d.kind, payload: d.payload, attempts: d.attempts }));
    },
    /**
     * One write per batch: on FerretDB every delete scans the queue, so deleting one by one would
     * cost O(queue) per email. Claims are kept (maintenance removes them a day later): another
     * instance may still hold a stale read of these jobs, and must find their claims taken.
     */
    async completeMany(jobs: Pick<ClaimedJob, 'id'>[]): Promise<void> {
      if (jobs.length === 0) return;
      await Outbox.deleteMany({ _id: { $in: jobs.map((j) => j.id) } });
    },
    async retryLater(job: Pick<ClaimedJob, 'id' | 'attempts'>, nextAttemptAt: Date, error: string): Promise<void> {
      // The next attempt has a new number, hence a new claim; this attempt's claim stays taken.
      await Outbox.updateOne({ _id: job.id }, { $set: { attempts: job.attempts + 1, nextAttemptAt, lastError: error } });
    },
    async fail(job: Pick<ClaimedJob, 'id' | 'attempts'>, error: string): Promise<void> {
      await Outbox.updateOne({ _id: job.id }, { $set: { status: 'failed', attempts: job.attempts + 1, lastError: error } });
    },
    /** Claims are kept a day to fend off stale reads, then removed here: FerretDB has no TTL indexes. */
    async deleteStaleClaims(before: Date): Promise<number> {
      return (await Claims.deleteMany({ at: { $lt: before } })).deletedCount;
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
