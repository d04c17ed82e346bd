import { Schema, Types, type Connection } from 'mongoose';
import type { Role, User } from './user-types.js';
import { isDuplicateKey } from '../shared/db-errors.js';

const userSchema = new Schema(
  {
    email: { type: String, required: true },
    role: { type: String, required: true },
    passwordHash: { type: String, required: true },
    mustChangePassword: { type: Boolean, default: false },
    passwordChangedAt: { type: Date, required: true },
    disabled: { type: Boolean, default: false },
  },
  { collection: 'users', timestamps: true, versionKey: false },
);
userSchema.index({ email: 1 }, { unique: true });

interface UserDoc {
  _id: Types.ObjectId;
  email: string;
  role: Role;
  passwordHash: string;
  mustChangePassword?: boolean;
  passwordChangedAt: Date;
  disabled?: boolean;
  createdAt: Date;
}

const toUser = (doc: UserDoc): User => ({
  id: doc._id.toHexString(),
  email: doc.email,
  role: doc.role,
  mustChangePassword: !!doc.mustChangePassword,
  passwordChangedAt: doc.passwordChangedAt,
  disabled: !!doc.disabled,
  createdAt: doc.createdAt,
});

export function createUserRepository(connection: Connection) {
  const Users = connection.model('User', userSchema);
  return {
    init: () => Users.createIndexes(),
    async insert(user: { email: string; role: Role; passwordHash: string; mustChangePassword: boolean; at: Date }): Promise<User | 'email_taken'> {
      try {
        const doc = await Users.create({ ...user, passwordChangedAt: user.at });
        return toUser(doc.toObject() as UserDoc);
      } catch (error) {
        if (isDuplicateKey(error)) return 'email_taken';
        throw error;
      }
    },
    async findById(id: string): Promise<User | null> {
      if (!Types.ObjectId.isValid(id)) return null;
      const doc = await Users.findById(id).lean<UserDoc>();
      return doc ? toUser(doc) : null;
    },
    /** The user and their password hash, for logging in only. */
    async findCredentials(email: string): Promise<{ user: User; passwordHash: string } | null> {
      const doc = await Users.findOne({ email }).lean<UserDoc>();
      return doc ? { user: toUser(doc), passwordHash: doc.passwordHash } : null;
    },
    async list(): Promise<User[]> {
      const docs = await Users.find({}).sort({ email: 1 }).lean<UserDoc[]>();
      return docs.map(toUser);
    },
    async setPassword(id: string, passwordHash: string, mustChangePassword: boolean, at: Date): Promise<void> {
      await Users.updateOne({ _id: new Types.ObjectId(id) }, { $set: { passwordHash, mustChangePassword, passwordChangedAt: at } });
    },
    async update(id: string, changes: { role?: Role; disabled?: boolean }): Promise<void> {
      await Users.updateOne({ _id: new Types.ObjectId(id) }, { $set: changes });
    },
    count: () => Users.estimatedDocumentCount(),
  };
}

export type UserRepository = ReturnType<typeof createUserRepository>;
