import { Schema, Types, type Connection } from 'mongoose';
import { createBatcher } from '../shared/batcher.js';

/** Jobs hold references and keyed hashes only, never an address or a name. */
export interface OutboxJob {
  kind: 'signature-mail';
  payload: { petitionId: string; emailHash: string; firstSubmission: boolean; lang: string };
}

export interface ClaimedJob extends OutboxJob {
  id: string;
  attempts: number;
}

const outboxSchema = new Schema(
  {
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

const isDuplicateKey = (e: unknown) => (e as { code?: number }).code === 11000;

export function createOutboxRepository(connection: Connection) {
  const Outbox = connection.model('OutboxMessage', outboxSchema);
  const Claims = connection.model('OutboxClaim', claimSchema);

  const enqueue = createBatcher<{ job: OutboxJob; at: Date }, void>(async (items) => {
    await Outbox.collection.insertMany(
      items.map(({ job, at }) => ({ ...job, status: 'queued', attempts: 0, nextAttemptAt: at, createdAt: at })),
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
      const due = await Outbox.find({ status: 'queued', nextAttemptAt: { $lte: now } })
        .sort({ nextAttemptAt: 1 })
        .limit(limit)
        .lean<{ _id: Types.ObjectId; kind: OutboxJob['kind']; payload: OutboxJob['payload']; attempts: number }[]>();
      const claimed: ClaimedJob[] = [];
      for (const doc of due) {
        const claimId = `${doc._id.toHexString()}:${doc.attempts}`;
        try {
          await Claims.collection.insertOne({ _id: claimId as never, at: now });
          claimed.push({ id: doc._id.toHexString(), kind: doc.kind, payload: doc.payload, attempts: doc.attempts });
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
          const claim = await Claims.findById(claimId).lean<{ at: Date }>();
          if (claim && now.getTime() - claim.at.getTime() > leaseMs) {
            await Outbox.updateOne({ _id: doc._id, attempts: doc.attempts }, { $set: { attempts: doc.attempts + 1 } });
          }
        }
      }
      return claimed;
    },
    async complete(id: string): Promise<void> {
      await Outbox.deleteOne({ _id: new Types.ObjectId(id) });
      await Claims.deleteMany({ _id: { $regex: `^${id}:` } });
    },
    async retryLater(id: string, attempts: number, nextAttemptAt: Date, error: string): Promise<void> {
      await Outbox.updateOne({ _id: new Types.ObjectId(id) }, { $set: { attempts, nextAttemptAt, lastError: error } });
    },
    async fail(id: string, error: string): Promise<void> {
      await Outbox.updateOne({ _id: new Types.ObjectId(id) }, { $set: { status: 'failed', lastError: error } });
    },
    async countByStatus(): Promise<Record<string, number>> {
      const rows = await Outbox.aggregate<{ _id: string; n: number }>([{ $group: { _id: '$status', n: { $sum: 1 } } }]);
      return Object.fromEntries(rows.map((r) => [r._id, r.n]));
    },
  };
}

export type OutboxRepository = ReturnType<typeof createOutboxRepository>;
