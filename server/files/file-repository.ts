import { pipeline, Readable } from 'node:stream';
import { mongo, type Connection } from 'mongoose';
import { NotFoundError } from '../shared/errors.js';
import { keyIdOf, subkey } from '../shared/data-protector.js';
import { createFileSealer, type FileSealer } from './sealed-stream.js';

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
  metadata?: {
    sealed?: number;
    /** The data key the file is sealed under (keyIdOf); absent on files sealed before keys had ids. */
    keyId?: string;
    /** Where the bytes are, once a key rotation sealed them again: another GridFS file. Absent: here. */
    content?: mongo.ObjectId;
    /** On such a content file: the file it holds the bytes of. */
    contentOf?: mongo.ObjectId;
  };
}

/** File sealers by data key id, the current key's first: from DATA_KEY, then DATA_KEYS_OLD. */
export function createFileKeys(masters: Buffer[]) {
  const keys = masters.map((master) => ({ id: keyIdOf(master), key: subkey(master, 'stored-file') }));
  return {
    currentId: keys[0]!.id,
    byId: new Map(keys.map(({ id, key }) => [id, createFileSealer(key)])),
    /** For files sealed before they named their key: whichever key opens them. */
    unnamed: createFileSealer(keys.map((k) => k.key)),
  };
}

export type FileKeys = ReturnType<typeof createFileKeys>;

/**
 * Files kept in the database (GridFS, bucket `files`): packet ZIPs, delivery photos and exports. In
 * the database rather than on a disk so that every app instance serves the same files and a backup
 * of the database is a backup of everything. Every file is sealed under a key derived from DATA_KEY,
 * bound to its own id (see sealed-stream.ts), so a copy of the database shows no name or photo;
 * both ways are streamed, so memory stays flat whatever the size.
 */
export function createFileStore(connection: Connection, keys: FileKeys) {
  const bucket = () => new mongo.GridFSBucket(connection.db!, { bucketName: 'files' });
  const meta = () => connection.db!.collection<FileDoc>('files.files');
  const current = keys.byId.get(keys.currentId)!;
  const sealerOf = (file: FileDoc): FileSealer => {
    const id = file.metadata?.keyId;
    if (!id) return keys.unnamed;
    const sealer = keys.byId.get(id);
    if (!sealer) throw new Error(`file sealed under key ${id}, which is not configured (DATA_KEY, DATA_KEYS_OLD)`);
    return sealer;
  };
  /** Sealed bytes of `context` into a new GridFS file, under the current key. */
  async function upload(id: mongo.ObjectId, context: string, filename: string, source: Readable, metadata: Record<string, unknown>) {
    const stream = bucket().openUploadStreamWithId(id, filename, { metadata });
    const seal = current.seal(context);
    await new Promise<void>((resolve, reject) => {
      pipeline(source, seal, stream, (error) => (error ? reject(error) : resolve()));
    });
    return seal.plainBytes;
  }
  function plaintext(file: FileDoc): Readable {
    const raw = bucket().openDownloadStream(file.metadata?.content ?? file._id);
    if (file.metadata?.sealed !== SEALED) return raw;
    return pipeline(raw, sealerOf(file).open(file._id.toHexString()), () => undefined);
  }
  const toId = (id: string) => {
    if (!/^[0-9a-f]{24}$/.test(id)) throw new NotFoundError('There is no such file.');
    return new mongo.ObjectId(id);
  };

  return {
    /** Seals and stores a stream or buffer; resolves once every chunk is written. */
    async save(filename: string, contentType: string, source: Readable | Buffer, metadata: Record<string, unknown> = {}): Promise<StoredFile> {
      const id = new mongo.ObjectId();
      const plain = Buffer.isBuffer(source) ? Readable.from([source]) : source;
      const bytes = await upload(id, id.toHexString(), filename, plain, { ...metadata, contentType, sealed: SEALED, keyId: keys.currentId });
      return { id: id.toHexString(), filename, contentType, bytes };
    },
    /** The file's plaintext; a sealed file that was changed fails the stream rather than giving altered bytes. */
    async open(id: string): Promise<Readable> {
      const file = await meta().findOne({ _id: toId(id) });
      if (!file) throw new NotFoundError('There is no such file.');
      return plaintext(file);
    },
    async remove(id: string): Promise<void> {
      const file = await meta().findOne({ _id: toId(id) });
      if (file?.metadata?.content) await bucket().delete(file.metadata.content).catch(() => undefined);
      await bucket().delete(toId(id)).catch(() => undefined);
    },

    /**
     * Key rotation: the file's bytes sealed again under the current key, into a content file of their
     * own (still bound to the file's id), then switched to with one update of the file's document, so a
     * reader always finds a whole file under one key and a rotation killed at any point loses nothing;
     * the old bytes are deleted after the switch. Answers whether the file needed it.
     */
    async reseal(file: FileDoc): Promise<boolean> {
      if (file.metadata?.sealed !== SEALED || file.metadata.keyId === keys.currentId) return false;
      const content = new mongo.ObjectId();
      const name = `${file._id.toHexString()}.content`;
      await upload(content, file._id.toHexString(), name, plaintext(file), { contentOf: file._id });
      const before = file.metadata.content;
      const switched = await meta().updateOne(
        { _id: file._id, 'metadata.keyId': file.metadata.keyId ?? { $exists: false } },
        { $set: { 'metadata.content': content, 'metadata.keyId': keys.currentId } },
      );
      if (switched.modifiedCount === 0) {
        await bucket().delete(content).catch(() => undefined); // removed or rotated meanwhile
        return false;
      }
      if (before) await bucket().delete(before).catch(() => undefined);
      else await connection.db!.collection('files.chunks').deleteMany({ files_id: file._id });
      return true;
    },
    /** The stored files, in `_id` order from `after`, without the content files rotation made. */
    list(after: mongo.ObjectId | null, limit: number): Promise<FileDoc[]> {
      const from = after ? { _id: { $gt: after } } : {};
      return meta().find({ ...from, 'metadata.contentOf': { $exists: false } }, { sort: { _id: 1 }, limit }).toArray();
    },
    /** Content files no file points to: left by a rotation killed between writing and switching. */
    async removeStrayContent(): Promise<number> {
      let removed = 0;
      for (const stray of await meta().find({ 'metadata.contentOf': { $exists: true } }).toArray()) {
        const owner = await meta().findOne({ _id: stray.metadata!.contentOf! });
        if (owner?.metadata?.content?.equals(stray._id)) continue;
        await bucket().delete(stray._id).catch(() => undefined);
        removed += 1;
      }
      return removed;
    },
  };
}

export type FileStore = ReturnType<typeof createFileStore>;
