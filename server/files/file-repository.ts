import type { Readable } from 'node:stream';
import { mongo, type Connection } from 'mongoose';
import { NotFoundError } from '../shared/errors.js';

export interface StoredFile {
  id: string;
  filename: string;
  contentType: string;
  bytes: number;
}

/**
 * Files kept in the database (GridFS, bucket `files`): packet ZIPs and delivery photos. In the
 * database rather than on a disk so that every app instance serves the same files and a backup of
 * the database is a backup of everything.
 */
export function createFileStore(connection: Connection) {
  const bucket = () => new mongo.GridFSBucket(connection.db!, { bucketName: 'files' });
  const toId = (id: string) => {
    if (!/^[0-9a-f]{24}$/.test(id)) throw new NotFoundError('There is no such file.');
    return new mongo.ObjectId(id);
  };

  return {
    /** Stores a stream or buffer; resolves once every chunk is written. */
    async save(filename: string, contentType: string, source: Readable | Buffer, metadata: Record<string, unknown> = {}): Promise<StoredFile> {
      const upload = bucket().openUploadStream(filename, { metadata: { ...metadata, contentType } });
      await new Promise<void>((resolve, reject) => {
        upload.once('finish', resolve).once('error', reject);
        if (Buffer.isBuffer(source)) upload.end(source);
        else source.once('error', reject).pipe(upload);
      });
      return { id: upload.id.toHexString(), filename, contentType, bytes: upload.length };
    },
    open: (id: string): Readable => bucket().openDownloadStream(toId(id)),
    async remove(id: string): Promise<void> {
      await bucket().delete(toId(id)).catch(() => undefined);
    },
  };
}

export type FileStore = ReturnType<typeof createFileStore>;
