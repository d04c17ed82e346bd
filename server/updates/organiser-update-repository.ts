import { Schema, type Connection } from 'mongoose';

/** An organiser's update to a petition's signers: one text, in the petition's main language, Markdown. */
export interface OrganiserUpdate {
  id: string;
  petitionId: string;
  title: string;
  body: string;
  lang: string;
  status: 'draft' | 'sent';
  createdBy: string;
  createdAt: Date;
  sentBy: string | null;
  sentAt: Date | null;
  /** Emails queued, once queuing has finished; null until then. */
  total: number | null;
}

type UpdateDoc = Omit<OrganiserUpdate, 'id'> & { _id: string; queuingUntil?: Date | null };

// String ids chosen by the service: every lookup is by `_id` alone (docs/embedded-database.md#access-paths).
const updateSchema = new Schema(
  {
    _id: String,
    petitionId: { type: String, required: true },
    title: { type: String, required: true },
    body: { type: String, required: true },
    lang: { type: String, required: true },
    status: { type: String, required: true },
    createdBy: { type: String, required: true },
    createdAt: { type: Date, required: true },
    sentBy: { type: String, default: null },
    sentAt: { type: Date, default: null },
    total: { type: Number, default: null },
    // While emails are being queued: until when the instance queuing them holds the update (see claimQueuing).
    queuingUntil: { type: Date, default: null },
  },
  { collection: 'organiser_updates', versionKey: false },
);

const toUpdate = ({ _id, queuingUntil: _lease, ...rest }: UpdateDoc): OrganiserUpdate => ({ id: _id, ...rest });

export function createOrganiserUpdateRepository(connection: Connection) {
  const Updates = connection.model('OrganiserUpdate', updateSchema);
  return {
    async find(id: string): Promise<OrganiserUpdate | null> {
      const doc = await Updates.findById(id).lean<UpdateDoc>();
      return doc && toUpdate(doc);
    },
    async insert(update: OrganiserUpdate): Promise<void> {
      const { id, ...rest } = update;
      await Updates.collection.insertOne({ _id: id as never, ...rest });
    },
    /** Edits a draft; a sent update keeps its text. Returns whether it was a draft. */
    async editDraft(id: string, text: { title: string; body: string }): Promise<boolean> {
      const before = await Updates.collection.findOneAndUpdate({ _id: id as never, status: 'draft' }, { $set: text });
      return before !== null;
    },
    /** Draft → sent; only the first of two concurrent sends gets true. */
    /** The sender holds the update's queuing until `until` (see claimQueuing). */
    async markSent(id: string, by: string, at: Date, until: Date): Promise<boolean> {
      const before = await Updates.collection.findOneAndUpdate({ _id: id as never, status: 'draft' }, { $set: { status: 'sent', sentBy: by, sentAt: at, queuingUntil: until } });
      return before !== null;
    },
    /**
     * Takes over the queuing of a sent update whose queuer stopped (a crash): true for one instance while
     * its hold lasts. The queuer renews its hold as it goes, so a long queuing is never taken from it.
     */
    async claimQueuing(id: string, now: Date, until: Date): Promise<boolean> {
      const free = { $or: [{ queuingUntil: null }, { queuingUntil: { $lt: now } }] };
      const before = await Updates.collection.findOneAndUpdate({ _id: id as never, status: 'sent', total: null, ...free }, { $set: { queuingUntil: until } });
      return before !== null;
    },
    async holdQueuing(id: string, until: Date): Promise<void> {
      await Updates.collection.updateOne({ _id: id as never }, { $set: { queuingUntil: until } });
    },
    /** Sent updates whose queuing never finished. A whole-collection read of a small collection, once an hour. */
    async unfinished(): Promise<OrganiserUpdate[]> {
      return (await Updates.find({ status: 'sent', total: null }).lean<UpdateDoc[]>()).map(toUpdate);
    },
    async setTotal(id: string, total: number): Promise<void> {
      await Updates.collection.updateOne({ _id: id as never }, { $set: { total, queuingUntil: null } });
    },
    /** A whole-collection read, as every filter other than `_id` is here; updates are few (a handful per petition). */
    async listSent(petitionId: string): Promise<OrganiserUpdate[]> {
      const docs = await Updates.find({ petitionId, status: 'sent' }).lean<UpdateDoc[]>();
      return docs.map(toUpdate).sort((a, b) => b.sentAt!.getTime() - a.sentAt!.getTime());
    },
  };
}

export type OrganiserUpdateRepository = ReturnType<typeof createOrganiserUpdateRepository>;
