import { Schema, Types, type Connection } from 'mongoose';

/** One confirmed invalidation: what it matched (filters without personal data) and whether it was restored. */
export interface ModerationRun {
  id: string;
  petitionId: string;
  at: Date;
  actor: string;
  filters: Record<string, string>;
  invalidated: number;
  restoredAt: Date | null;
  restoredBy: string | null;
  restored: number | null;
}

const runSchema = new Schema(
  {
    _id: String,
    petitionId: { type: Schema.Types.ObjectId, required: true },
    at: { type: Date, required: true },
    actor: { type: String, required: true },
    filters: { type: Schema.Types.Mixed },
    invalidated: { type: Number, required: true },
    restoredAt: { type: Date },
    restoredBy: { type: String },
    restored: { type: Number },
  },
  { collection: 'moderation_runs', versionKey: false, minimize: false },
);

type RunDoc = Omit<ModerationRun, 'id' | 'petitionId'> & { _id: string; petitionId: Types.ObjectId };

const toRun = ({ _id, petitionId, ...doc }: RunDoc): ModerationRun => ({
  ...doc,
  id: _id,
  petitionId: petitionId.toHexString(),
  filters: doc.filters ?? {},
  restoredAt: doc.restoredAt ?? null,
  restoredBy: doc.restoredBy ?? null,
  restored: doc.restored ?? null,
});

/** Runs are few (one per deliberate action), so reading a petition's latest ones stays cheap even unindexed. */
export function createModerationRunRepository(connection: Connection) {
  const Runs = connection.model('ModerationRun', runSchema);
  return {
    async insert(run: Omit<ModerationRun, 'restoredAt' | 'restoredBy' | 'restored'>): Promise<void> {
      const { id, petitionId, ...rest } = run;
      await Runs.collection.insertOne({ _id: id as never, petitionId: new Types.ObjectId(petitionId), ...rest });
    },
    async findById(id: string): Promise<ModerationRun | null> {
      const doc = await Runs.findById(id).lean<RunDoc>();
      return doc ? toRun(doc) : null;
    },
    /** A run is recorded before it changes anything (so a crash leaves it restorable) and given its count after. */
    async finish(id: string, invalidated: number): Promise<void> {
      await Runs.collection.findOneAndUpdate({ _id: id as never }, { $set: { invalidated } });
    },
    async markRestored(id: string, by: string, at: Date, restored: number): Promise<void> {
      await Runs.collection.findOneAndUpdate({ _id: id as never }, { $set: { restoredAt: at, restoredBy: by, restored } });
    },
    async latest(petitionId: string, limit: number): Promise<ModerationRun[]> {
      const docs = await Runs.find({ petitionId: new Types.ObjectId(petitionId) })
        .sort({ at: -1 })
        .limit(limit)
        .lean<RunDoc[]>();
      return docs.map(toRun);
    },
  };
}

export type ModerationRunRepository = ReturnType<typeof createModerationRunRepository>;
