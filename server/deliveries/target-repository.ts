import { Schema, Types, type Connection } from 'mongoose';
import { isDuplicateKey } from '../shared/db-errors.js';
import type { Delivery, DeliveryTarget } from './target-types.js';

// String ids: FerretDB pushes a string `_id` equality down to SQL, and URLs carry them as they are.
const deliverySchema = new Schema(
  {
    deliveredAt: Date,
    deliveredBy: String,
    notes: String,
    packetId: String,
    photo: { type: Schema.Types.Mixed, default: null },
    recordedBy: String,
    recordedAt: Date,
  },
  { _id: false },
);

const targetSchema = new Schema(
  {
    _id: { type: String, required: true },
    petitionId: { type: String, required: true },
    name: { type: String, required: true },
    recipientName: { type: String, default: '' },
    recipientTitle: { type: String, required: true },
    city: { type: String, required: true },
    country: { type: String, required: true },
    address: { type: String, default: '' },
    language: { type: String, required: true },
    plannedAt: { type: Date, default: null },
    notes: { type: String, default: '' },
    delivery: { type: deliverySchema, default: null },
  },
  { timestamps: true, collection: 'delivery_targets', versionKey: false },
);

type TargetDoc = Omit<DeliveryTarget, 'id'> & { _id: string };
export type TargetChanges = Pick<DeliveryTarget, 'name' | 'recipientName' | 'recipientTitle' | 'city' | 'country' | 'address' | 'language' | 'plannedAt' | 'notes'>;

const toTarget = ({ _id, ...doc }: TargetDoc): DeliveryTarget => ({ ...doc, id: _id, plannedAt: doc.plannedAt ?? null, delivery: doc.delivery ?? null });

export const newTargetId = () => new Types.ObjectId().toHexString();

export function createTargetRepository(connection: Connection) {
  const Targets = connection.model('DeliveryTarget', targetSchema);
  return {
    /** Inserts under the given id; false when that id exists (how seeding stays idempotent). */
    async insert(id: string, petitionId: string, fields: TargetChanges): Promise<boolean> {
      try {
        await Targets.create({ _id: id, petitionId, ...fields, delivery: null });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async find(id: string): Promise<DeliveryTarget | null> {
      const doc = await Targets.findOne({ _id: id }).lean<TargetDoc>();
      return doc ? toTarget(doc) : null;
    },
    /** A petition has a handful of targets: the scan FerretDB does for this filter is cheap. */
    async listForPetition(petitionId: string): Promise<DeliveryTarget[]> {
      const docs = await Targets.find({ petitionId }).lean<TargetDoc[]>();
      return docs.map(toTarget);
    },
    async update(id: string, changes: TargetChanges): Promise<DeliveryTarget | null> {
      const doc = await Targets.findOneAndUpdate({ _id: id }, { $set: changes }, { returnDocument: 'after' }).lean<TargetDoc>();
      return doc ? toTarget(doc) : null;
    },
    /** Only an undelivered target goes: a delivery is a record of what happened. */
    async removeUndelivered(id: string): Promise<boolean> {
      const res = await Targets.deleteOne({ _id: id, delivery: null });
      return res.deletedCount === 1;
    },
    /** Sets the delivery only if there is none yet: two organisers recording at once cannot both win. */
    async recordDelivery(id: string, delivery: Delivery): Promise<DeliveryTarget | null> {
      const doc = await Targets.findOneAndUpdate({ _id: id, delivery: null }, { $set: { delivery } }, { returnDocument: 'after' }).lean<TargetDoc>();
      return doc ? toTarget(doc) : null;
    },
    /** Removes the delivery and returns it (its photo is the caller's to delete); null when there was none. */
    async clearDelivery(id: string): Promise<Delivery | null> {
      const before = await Targets.findOneAndUpdate({ _id: id, delivery: { $ne: null } }, { $set: { delivery: null } }, { returnDocument: 'before' }).lean<TargetDoc>();
      return before?.delivery ?? null;
    },
  };
}

export type TargetRepository = ReturnType<typeof createTargetRepository>;
