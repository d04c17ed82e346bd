import { Schema, Types, type Connection } from 'mongoose';
import type { NewPetition, Petition } from './petition-types.js';

const petitionSchema = new Schema(
  {
    slug: { type: String, required: true },
    title: { type: String, required: true },
    summary: { type: String, required: true },
    body: { type: String, required: true },
    target: { type: String, required: true },
    goal: { type: Number, required: true },
    status: { type: String, required: true, enum: ['draft', 'open', 'closed'] },
    verification: { type: String, required: true, enum: ['email', 'none'] },
  },
  { timestamps: true, collection: 'petitions' },
);
petitionSchema.index({ slug: 1 }, { unique: true });

type PetitionDoc = NewPetition & { _id: Types.ObjectId; createdAt: Date };

const toPetition = (doc: PetitionDoc): Petition => ({
  id: doc._id.toHexString(),
  slug: doc.slug,
  title: doc.title,
  summary: doc.summary,
  body: doc.body,
  target: doc.target,
  goal: doc.goal,
  status: doc.status,
  verification: doc.verification,
  createdAt: doc.createdAt,
});

export function createPetitionRepository(connection: Connection) {
  const Petitions = connection.model('Petition', petitionSchema);
  return {
    init: () => Petitions.createIndexes(),
    async findBySlug(slug: string): Promise<Petition | null> {
      const doc = await Petitions.findOne({ slug }).lean<PetitionDoc>();
      return doc ? toPetition(doc) : null;
    },
    async findById(id: string): Promise<Petition | null> {
      if (!Types.ObjectId.isValid(id)) return null;
      const doc = await Petitions.findById(id).lean<PetitionDoc>();
      return doc ? toPetition(doc) : null;
    },
    async listByStatus(status: Petition['status']): Promise<Petition[]> {
      const docs = await Petitions.find({ status }).sort({ createdAt: 1 }).lean<PetitionDoc[]>();
      return docs.map(toPetition);
    },
    async count(): Promise<number> {
      return Petitions.estimatedDocumentCount();
    },
    /** Insert unless the slug exists; returns whether it was inserted. */
    async insertIfAbsent(petition: NewPetition): Promise<boolean> {
      try {
        await Petitions.create(petition);
        return true;
      } catch (error) {
        if ((error as { code?: number }).code === 11000) return false;
        throw error;
      }
    },
  };
}

export type PetitionRepository = ReturnType<typeof createPetitionRepository>;
