import { Schema, Types, type Connection } from 'mongoose';
import { DEFAULT_RETENTION, type NewPetition, type Petition, type PetitionChanges } from './petition-types.js';
import { isDuplicateKey } from '../shared/db-errors.js';

const petitionSchema = new Schema(
  {
    slug: { type: String, required: true },
    title: { type: String, required: true },
    summary: { type: String, required: true },
    body: { type: String, required: true },
    target: { type: String, required: true },
    // Petitions stored before languages existed are English.
    language: { type: String, default: 'en' },
    translations: { type: Schema.Types.Mixed, default: () => ({}) },
    goal: { type: Number, required: true },
    status: { type: String, required: true, enum: ['draft', 'open', 'closed'] },
    verification: { type: String, required: true, enum: ['email', 'none'] },
    opensAt: { type: Date, default: null },
    closesAt: { type: Date, default: null },
    image: { type: Schema.Types.Mixed, default: null },
    embedOrigins: { type: [String], default: () => [] },
    retention: { type: Schema.Types.Mixed },
  },
  { timestamps: true, collection: 'petitions' },
);
petitionSchema.index({ slug: 1 }, { unique: true });

type PetitionDoc = Omit<Petition, 'id' | 'opensAt' | 'closesAt' | 'language' | 'translations' | 'image' | 'embedOrigins' | 'retention'> &
  Partial<Pick<Petition, 'language' | 'translations' | 'image' | 'embedOrigins' | 'retention'>> & { _id: Types.ObjectId; opensAt?: Date | null; closesAt?: Date | null };

const toPetition = (doc: PetitionDoc): Petition => ({
  id: doc._id.toHexString(),
  slug: doc.slug,
  title: doc.title,
  summary: doc.summary,
  body: doc.body,
  target: doc.target,
  language: doc.language ?? 'en',
  translations: doc.translations ?? {},
  goal: doc.goal,
  status: doc.status,
  verification: doc.verification,
  opensAt: doc.opensAt ?? null,
  closesAt: doc.closesAt ?? null,
  image: doc.image ?? null,
  embedOrigins: doc.embedOrigins ?? [],
  retention: doc.retention ?? DEFAULT_RETENTION,
  createdAt: doc.createdAt,
  updatedAt: doc.updatedAt,
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
    async listAll(): Promise<Petition[]> {
      const docs = await Petitions.find({}).sort({ createdAt: -1 }).lean<PetitionDoc[]>();
      return docs.map(toPetition);
    },
    /** Applies changes by id; a slug taken by another petition is reported, not thrown. */
    async update(id: string, changes: PetitionChanges): Promise<'updated' | 'missing' | 'slug_taken'> {
      try {
        const res = await Petitions.updateOne({ _id: new Types.ObjectId(id) }, { $set: changes });
        return res.matchedCount === 1 ? 'updated' : 'missing';
      } catch (error) {
        if (isDuplicateKey(error)) return 'slug_taken';
        throw error;
      }
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
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
  };
}

export type PetitionRepository = ReturnType<typeof createPetitionRepository>;
