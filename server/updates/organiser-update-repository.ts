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

type UpdateDoc = Omit<OrganiserUpdate, 'id'> & { _id: string };

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
  },
  { collection: 'organiser_updates', versionKey: false },
);

const toUpdate = ({ _id, ...rest }: UpdateDoc): OrganiserUpdate => ({ id: _id, ...rest });

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
    async markSent(id: string, by: string, at: Date): Promise<boolean> {
      const before = await Updates.collection.findOneAndUpdate({ _id: id as never, status: 'draft' }, { $set: { status: 'sent', sentBy: by, sentAt: at } });
      return before !== null;
    },
    async setTotal(id: string, total: number): Promise<void> {
      await Updates.collection.updateOne({ _id: id as never }, { $set: { total } });
    },
    /** A whole-collection read, as every filter other than `_id` is here; updates are few (a handful per petition). */
    async listSent(petitionId: string): Promise<OrganiserUpdate[]> {
      const docs = await Updates.find({ petitionId, status: 'sent' }).lean<UpdateDoc[]>();
      return docs.map(toUpdate).sort((a, b) => b.sentAt!.getTime() - a.sentAt!.getTime());
    },
  };
}

export type OrganiserUpdateRepository = ReturnType<typeof createOrganiserUpdateRepository>;
