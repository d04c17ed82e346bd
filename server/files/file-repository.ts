import { pipeline, Readable } from 'node:stream';
import { mongo, type Connection } from 'mongoose';
import { NotFoundError } from '../shared/errors.js';
import type { FileSealer } from './sealed-stream.js';

export interface StoredFile {
  id: string;
  filename: string;
  contentType: string;
  /** The plaintext's size: what a download sends. */
  bytes: number;
}

/** The version marker of a sealed file; a file without it was stored before sealing and is read as it is. */
const SEALED = 1;

interface FileDoc {
  _id: mongo.ObjectId;
  metadata?: { sealed?: number };
}

/**
 * Files kept in the database (GridFS, bucket `files`): packet ZIPs, delivery photos and exports. In
 * the database rather than on a disk so that every app instance serves the same files and a backup
 * of the database is a backup of everything. Every file is sealed under a key derived from DATA_KEY,
 * bound to its own id (see sealed-stream.ts), so a copy of the database shows no name or photo;
 * both ways are streamed, so memory stays flat whatever the size.
 */
export function createFileStore(connection: Connection, sealer: FileSealer) {
  const bucket = () => new mongo.GridFSBucket(connection.db!, { bucketName: 'files' });
  const toId = (id: string) => {
    if (!/^[0-9a-f]{24}$/.test(id)) throw new NotFoundError('There is no such file.');
    return new mongo.ObjectId(id);
  };

  return {
    /** Seals and stores a stream or buffer; resolves once every chunk is written. */
    async save(filename: string, contentType: string, source: Readable | Buffer, metadata: Record<string, unknown> = {}): Promise<StoredFile> {
      const id = new mongo.ObjectId();
      const upload = bucket().openUploadStreamWithId(id, filename, { metadata: { ...metadata, contentType, sealed: SEALED } });
      const seal = sealer.seal(id.toHexString());
      await new Promise<void>((resolve, reject) => {
        pipeline(Buffer.isBuffer(source) ? Readable.from([source]) : source, seal, upload, (error) => (error ? reject(error) : resolve()));
      });
      return { id: id.toHexString(), filename, contentType, bytes: seal.plainBytes };
    },
    /** The file's plaintext; a sealed file that was changed fails the stream rather than giving altered bytes. */
    async open(id: string): Promise<Readable> {
      const _id = toId(id);
      const file = await connection.db!.collection<FileDoc>('files.files').findOne({ _id });
      if (!file) throw new NotFoundError('There is no such file.');
      const raw = bucket().openDownloadStream(_id);
      if (file.metadata?.sealed !== SEALED) return raw;
      return pipeline(raw, sealer.open(id), () => undefined);
    },
    async remove(id: string): Promise<void> {
      await bucket().delete(toId(id)).catch(() => undefined);
    },
  };
}

export type FileStore = ReturnType<typeof createFileStore>;
