import { Schema, type Connection } from 'mongoose';
import { isDuplicateKey } from '../shared/db-errors.js';

// Notices to a signature's address are numbered slots `<signatureId>:<n>`: the unique _id makes
// the cap exact even when several workers handle repeat submissions at once.
const noticeSchema = new Schema({ _id: String, at: Date }, { collection: 'signature_notices', versionKey: false });

export function createNoticeRepository(connection: Connection) {
  const Notices = connection.model('SignatureNotice', noticeSchema);
  return {
    async claimSlot(signatureId: string, max: number, at: Date): Promise<boolean> {
      for (let n = 1; n <= max; n++) {
        try {
          await Notices.collection.insertOne({ _id: `${signatureId}:${n}` as never, at });
          return true;
        } catch (error) {
          if (!isDuplicateKey(error)) throw error;
        }
      }
      return false;
    },
  };
}

export type NoticeRepository = ReturnType<typeof createNoticeRepository>;
