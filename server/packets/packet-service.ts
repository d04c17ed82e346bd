import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { AuditLog } from '../audit/audit-repository.js';
import { isCountryCode } from '../countries/countries.js';
import type { DeliveryTarget } from '../deliveries/target-types.js';
import type { FileStore } from '../files/file-repository.js';
import type { I18n } from '../i18n/i18n.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import { AppError, NotFoundError, ValidationError } from '../shared/errors.js';
import { createProgressSaver, type Progress } from '../shared/progress.js';
import { buildPacket, type BuildResult } from './packet-builder.js';
import type { PacketRepository } from './packet-repository.js';
import type { PacketSource } from './packet-source.js';
import { NAME_POLICIES, type Packet } from './packet-types.js';
import { findProof } from './packet-proof.js';
import type { PdfFonts } from './pdf/fonts.js';

export interface PacketRequest {
  slug: string;
  /** A target's id, or its city. */
  target: string;
  cutoff?: Date | null;
  countries?: string[] | null;
  /** A NamePolicy; anything else is refused with a field error. */
  names: string;
}

interface Deps {
  petitions: PetitionRepository;
  targets: { findForPacket(petitionId: string, idOrCity: string): Promise<DeliveryTarget> };
  /** Counted signatures by country, from the maintained tally: what the progress bar expects. */
  counted: (petitionId: string) => Promise<{ code: string; count: number }[]>;
  repo: PacketRepository;
  source: PacketSource;
  files: FileStore;
  audit: AuditLog;
  saltFor: (signatureId: string) => Buffer;
  fonts: () => PdfFonts;
  /** The cover letter's and the poster's sentences, in the target's language. */
  i18n: I18n;
  organisation: string;
  workRoot: string;
  clock: () => Date;
  onError: (error: unknown, packetId: string) => void;
}

/** Packet ids are random: a packet is one act of generation, even when its content repeats another's. */
const newPacketId = () => `pk_${randomBytes(10).toString('hex')}`;

export function createPacketService(deps: Deps) {
  const { repo, clock } = deps;
  const running = new Set<Promise<unknown>>();

  async function prepare(request: PacketRequest, actor: string) {
    const now = clock();
    const fields: Record<string, string> = {};
    const names = NAME_POLICIES.find((p) => p === request.names);
    if (!names) fields.names = 'name_policy';
    const cutoff = request.cutoff ?? now;
    if (Number.isNaN(cutoff.getTime())) fields.cutoff = 'invalid';
    // A cutoff in the future would not be a snapshot: later signatures would change a packet already handed over.
    else if (cutoff.getTime() > now.getTime()) fields.cutoff = 'cutoff_future';
    const countries = request.countries?.length ? [...new Set(request.countries.map((c) => c.trim().toUpperCase()))].sort() : null;
    if (countries?.some((c) => !isCountryCode(c))) fields.countries = 'country_unknown';
    if (Object.keys(fields).length > 0) throw new ValidationError(fields);

    const petition = await deps.petitions.findBySlug(request.slug);
    if (!petition) throw new NotFoundError('There is no petition with that address.');
    const target = await deps.targets.findForPacket(petition.id, request.target);
    const expected = (await deps.counted(petition.id)).filter((c) => !countries || countries.includes(c.code)).reduce((sum, c) => sum + c.count, 0);
    const packet: Packet = {
      id: newPacketId(),
      petitionId: petition.id,
      targetId: target.id,
      status: 'generating',
      cutoff,
      countries,
      names: names!,
      generatedAt: now,
      generatedBy: actor,
      total: 0,
      countryCount: 0,
      counts: {},
      root: '',
      files: [],
      pdfPages: 0,
      zipFileId: null,
      zipBytes: 0,
      error: null,
      progress: { phase: 'reading', done: 0, total: expected },
    };
    deps.fonts(); // fails now, with a clear message, if the fonts are missing
    await repo.insert(packet);
    return { packet, petition, target };
  }

  async function build({ packet, petition, target }: Awaited<ReturnType<typeof prepare>>, onProgress?: (progress: Progress) => void): Promise<{ packet: Packet; zipPath: string; timings: BuildResult['timings']; cleanUp: () => Promise<void> }> {
    await mkdir(deps.workRoot, { recursive: true, mode: 0o700 });
    const workDir = await mkdtemp(path.join(deps.workRoot, `${packet.id}-`));
    const cleanUp = () => rm(workDir, { recursive: true, force: true });
    const saver = createProgressSaver((progress) => repo.saveProgress(packet.id, progress));
    const report = (progress: Progress) => {
      saver.report(progress);
      onProgress?.(progress);
    };
    try {
      const scope = { cutoff: packet.cutoff, countries: packet.countries, names: packet.names };
      const saveLeaves = (leaves: Buffer) => repo.saveLeaves(packet.id, leaves);
      const expected = packet.progress?.total ?? 0;
      const built = await buildPacket(deps, { packetId: packet.id, petition, target, scope, organisation: deps.organisation, generatedAt: packet.generatedAt, workDir, saveLeaves, expected, onProgress: report });
      report({ phase: 'storing', done: built.total, total: built.total });
      const stored = await deps.files.save(`${petition.slug}-${packet.id}.zip`, 'application/zip', createReadStream(built.zipPath), { packetId: packet.id });
      const ready = {
        total: built.total,
        countryCount: Object.keys(built.counts).length,
        counts: built.counts,
        root: built.root,
        files: built.files,
        pdfPages: built.pdfPages,
        zipFileId: stored.id,
        zipBytes: stored.bytes,
        chunkFirsts: built.chunkFirsts,
        chunkRoots: built.chunkRoots,
      };
      await saver.settle();
      await repo.markReady(packet.id, ready);
      await deps.audit.record({
        actor: packet.generatedBy,
        action: 'packet.generate',
        petition: petition.slug,
        details: { packetId: packet.id, target: target.city, cutoff: packet.cutoff.toISOString(), countries: packet.countries ?? 'all', names: packet.names },
        rows: built.total,
      });
      return { packet: { ...packet, ...ready, status: 'ready', progress: null }, zipPath: built.zipPath, timings: built.timings, cleanUp };
    } catch (error) {
      await cleanUp();
      const message = error instanceof AppError ? error.message : 'The packet could not be built; the server log has the details.';
      await saver.settle();
      await repo.markFailed(packet.id, message);
      throw error;
    }
  }

  return {
    /** Starts a packet and returns it in status 'generating'; it is built in the background. */
    async start(request: PacketRequest, actor: string): Promise<Packet> {
      const prepared = await prepare(request, actor);
      const job = build(prepared)
        .then((done) => done.cleanUp())
        .catch((error: unknown) => deps.onError(error, prepared.packet.id))
        .finally(() => running.delete(job));
      running.add(job);
      return prepared.packet;
    },
    /**
     * Builds a packet to the end. `keep` receives the ZIP's path before the work directory is
     * removed; `onProgress` hears every step, unthrottled.
     */
    async generate(request: PacketRequest, actor: string, keep?: (zipPath: string) => Promise<void>, onProgress?: (progress: Progress) => void): Promise<Packet & { timings: BuildResult['timings'] }> {
      const done = await build(await prepare(request, actor), onProgress);
      try {
        await keep?.(done.zipPath);
      } finally {
        await done.cleanUp();
      }
      return { ...done.packet, timings: done.timings };
    },
    list: (petitionId: string, targetId?: string) => repo.list(petitionId, targetId),
    find: (id: string) => repo.find(id),
    async openZip(packet: Packet): Promise<Readable> {
      if (packet.status !== 'ready' || !packet.zipFileId) throw new AppError(409, 'packet_not_ready', 'This packet is not ready yet.');
      return deps.files.open(packet.zipFileId);
    },
    proofFor: (packetId: string, leaf: Buffer) => findProof(repo, packetId, leaf),
    /** Removes packets with their files and leaves: a removed target's, none of them delivered. */
    async remove(packets: Packet[]): Promise<void> {
      for (const packet of packets) if (packet.zipFileId) await deps.files.remove(packet.zipFileId);
      await repo.remove(packets);
    },
    saltFor: deps.saltFor,
    /** Resolves when every background generation has ended (tests, shutdown). */
    async settle(): Promise<void> {
      while (running.size > 0) await Promise.allSettled([...running]);
    },
    failAbandoned: () => repo.failAbandoned(new Date(clock().getTime() - 6 * 3600_000)),
  };
}

export type PacketService = ReturnType<typeof createPacketService>;
