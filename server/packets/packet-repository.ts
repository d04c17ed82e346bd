import { Schema, type Connection } from 'mongoose';
import { CHUNK } from './merkle.js';
import type { Progress } from '../shared/progress.js';
import type { Packet, PacketStatus } from './packet-types.js';

const packetSchema = new Schema(
  {
    _id: String,
    petitionId: { type: String, required: true },
    targetId: { type: String, required: true },
    status: { type: String, required: true },
    cutoff: { type: Date, required: true },
    countries: { type: [String], default: undefined },
    names: { type: String, required: true },
    generatedAt: { type: Date, required: true },
    generatedBy: { type: String, required: true },
    total: Number,
    countryCount: Number,
    counts: Schema.Types.Mixed,
    root: String,
    // The first leaf and the root of each stored chunk of leaves: a proof then reads one chunk.
    chunkFirsts: [String],
    chunkRoots: [String],
    files: [{ _id: false, name: String, sha256: String, bytes: Number }],
    pdfPages: Number,
    zipFileId: String,
    zipBytes: Number,
    error: String,
    progress: new Schema({ phase: String, done: Number, total: Number }, { _id: false }),
  },
  { collection: 'packets', versionKey: false },
);

/** Leaves in sorted order, CHUNK per document (128 kB), id `<packetId>:<chunk number>`. */
const leafChunkSchema = new Schema({ _id: String, leaves: Buffer }, { collection: 'packet_leaves', versionKey: false });

interface PacketDoc extends Omit<Packet, 'id' | 'countries' | 'progress'> {
  _id: string;
  progress?: Progress | null;
  countries?: string[] | null;
  chunkFirsts?: string[];
  chunkRoots?: string[];
}

/** What a finished build adds to a packet, with the chunk index its proofs are found by. */
export type ReadyFields = Pick<Packet, 'total' | 'countryCount' | 'counts' | 'root' | 'files' | 'pdfPages' | 'zipBytes'> & {
  zipFileId: string;
  chunkFirsts: string[];
  chunkRoots: string[];
};

const toPacket = (d: PacketDoc): Packet => ({
  id: d._id,
  petitionId: d.petitionId,
  targetId: d.targetId,
  status: d.status,
  cutoff: d.cutoff,
  countries: d.countries?.length ? d.countries : null,
  names: d.names,
  generatedAt: d.generatedAt,
  generatedBy: d.generatedBy,
  total: d.total ?? 0,
  countryCount: d.countryCount ?? 0,
  counts: d.counts ?? {},
  root: d.root ?? '',
  files: d.files ?? [],
  pdfPages: d.pdfPages ?? 0,
  zipFileId: d.zipFileId ?? null,
  zipBytes: d.zipBytes ?? 0,
  error: d.error ?? null,
  progress: d.status === 'generating' ? (d.progress ?? null) : null,
});

export function createPacketRepository(connection: Connection) {
  const Packets = connection.model('Packet', packetSchema);
  const Chunks = connection.model('PacketLeafChunk', leafChunkSchema);
  const setStatus = (id: string, status: PacketStatus, fields: object) => Packets.findOneAndUpdate({ _id: id }, { $set: { status, ...fields } }).lean();

  return {
    async insert(packet: Packet): Promise<void> {
      const { id, ...rest } = packet;
      await Packets.collection.insertOne({ _id: id as never, ...rest, countries: rest.countries ?? [] });
    },
    async find(id: string): Promise<Packet | null> {
      const doc = await Packets.findOne({ _id: id }).lean<PacketDoc>();
      return doc ? toPacket(doc) : null;
    },
    /** Newest first. Packets are few per petition, so sorting them here is cheap on any backend. */
    async list(petitionId: string, targetId?: string): Promise<Packet[]> {
      const docs = await Packets.find({ petitionId, ...(targetId ? { targetId } : {}) }, { chunkFirsts: 0, chunkRoots: 0 }).lean<PacketDoc[]>();
      return docs.map(toPacket).sort((a, b) => b.generatedAt.getTime() - a.generatedAt.getTime());
    },
    async saveLeaves(packetId: string, sortedLeaves: Buffer): Promise<void> {
      const docs = [];
      for (let at = 0, n = 0; at < sortedLeaves.length; at += CHUNK * 32, n++) docs.push({ _id: `${packetId}:${n}`, leaves: sortedLeaves.subarray(at, at + CHUNK * 32) });
      for (let i = 0; i < docs.length; i += 20) await Chunks.collection.insertMany(docs.slice(i, i + 20) as never[], { ordered: true });
    },
    async chunkIndex(packetId: string): Promise<{ firsts: string[]; roots: string[]; size: number } | null> {
      const doc = await Packets.findOne({ _id: packetId, status: 'ready' }, { chunkFirsts: 1, chunkRoots: 1, total: 1 }).lean<PacketDoc>();
      return doc?.chunkFirsts ? { firsts: doc.chunkFirsts, roots: doc.chunkRoots ?? [], size: doc.total } : null;
    },
    async chunk(packetId: string, n: number): Promise<Buffer | null> {
      const doc = await Chunks.findOne({ _id: `${packetId}:${n}` }).lean<{ leaves: { buffer: Uint8Array } | Buffer }>();
      if (!doc) return null;
      return Buffer.isBuffer(doc.leaves) ? doc.leaves : Buffer.from(doc.leaves.buffer);
    },
    /** One small read-modify-write by _id; the service calls it at most once a second per packet. */
    async saveProgress(id: string, progress: Progress): Promise<void> {
      await Packets.findOneAndUpdate({ _id: id }, { $set: { progress } }).lean();
    },
    /** Removes packets and their leaves, by _id only (an index search, docs/embedded-database.md). */
    async remove(packets: Packet[]): Promise<void> {
      const leafIds = packets.flatMap(({ id, total }) => Array.from({ length: Math.ceil(total / CHUNK) }, (_, n) => `${id}:${n}`));
      for (let i = 0; i < leafIds.length; i += 1000) await Chunks.deleteMany({ _id: { $in: leafIds.slice(i, i + 1000) } });
      if (packets.length > 0) await Packets.deleteMany({ _id: { $in: packets.map((p) => p.id) } });
    },
    markReady: (id: string, fields: ReadyFields) => setStatus(id, 'ready', fields),
    markFailed: (id: string, error: string) => setStatus(id, 'failed', { error }),
    /** Packets left 'generating' by a process that stopped; other instances' recent work is left alone. */
    async failAbandoned(before: Date): Promise<void> {
      await Packets.updateMany({ status: 'generating', generatedAt: { $lt: before } }, { $set: { status: 'failed', error: 'interrupted' } });
    },
  };
}

export type PacketRepository = ReturnType<typeof createPacketRepository>;
