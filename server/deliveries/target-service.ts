import type { Readable } from 'node:stream';
import type { AuditLog } from '../audit/audit-repository.js';
import type { FileStore } from '../files/file-repository.js';
import type { Packet } from '../packets/packet-types.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { Petition } from '../petitions/petition-types.js';
import { AppError, NotFoundError, ValidationError } from '../shared/errors.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { NewDemoTarget } from './demo-targets.js';
import { cleanPhoto } from './delivery-photo.js';
import { parseDelivery, parseTarget } from './target-input.js';
import { newTargetId, type TargetRepository } from './target-repository.js';
import { recipientOf, type DeliveryTarget } from './target-types.js';

interface Deps {
  repo: TargetRepository;
  petitions: Pick<PetitionRepository, 'findBySlug' | 'findById'>;
  /** Packets are built by their own service, which itself looks targets up: passed as a function to break the cycle. */
  findPacket: (id: string) => Promise<Packet | null>;
  /** A target's packets, removed with it. */
  packets: { list(petitionId: string, targetId: string): Promise<Packet[]>; remove(packets: Packet[]): Promise<void> };
  files: Pick<FileStore, 'save' | 'open' | 'remove'>;
  audit: AuditLog;
  /** Tells the signers who asked for updates (another feature's mail fan-out). */
  announce: (target: DeliveryTarget) => Promise<void>;
  /** Drops the update emails of a delivery not sent yet: an undone delivery must not be announced. */
  withdraw: (targetId: string) => Promise<void>;
  clock: () => Date;
  photoMaxMb: number;
}

/** What the public sees of a delivery: no notes, no names of who handed it over, no staff. */
export interface PublicDelivery {
  city: string;
  country: string;
  recipient: string;
  deliveredAt: string;
  signatures: number;
  packetRoot: string;
  packetId: string;
  targetId: string;
  hasPublicPhoto: boolean;
}

const sameCity = (a: string, b: string) => a.trim().localeCompare(b.trim(), 'en', { sensitivity: 'accent' }) === 0;
const byPlan = (a: DeliveryTarget, b: DeliveryTarget) => (a.plannedAt?.getTime() ?? Infinity) - (b.plannedAt?.getTime() ?? Infinity) || a.city.localeCompare(b.city);
const newestDelivery = (a: DeliveryTarget, b: DeliveryTarget) =>
  b.delivery!.deliveredAt.getTime() - a.delivery!.deliveredAt.getTime() || b.delivery!.recordedAt.getTime() - a.delivery!.recordedAt.getTime();

export function createTargetService({ repo, petitions, findPacket, packets, files, audit, announce, withdraw, clock, photoMaxMb }: Deps) {
  // The public petition page asks on every view; a few seconds of staleness spare the database (this instance forgets at once).
  const shown = createTtlCache<PublicDelivery[]>(5000);
  const noTarget = () => new AppError(404, 'target_not_found', 'There is no such delivery target for this petition.');

  async function petitionFor(slug: string): Promise<Petition> {
    const petition = await petitions.findBySlug(slug);
    if (!petition) throw new NotFoundError('There is no such petition.');
    return petition;
  }

  async function find(id: string): Promise<DeliveryTarget | null> {
    return repo.find(id);
  }

  async function mustFind(id: string): Promise<DeliveryTarget> {
    return (await repo.find(id)) ?? throwError(noTarget());
  }

  async function listForPetition(petitionId: string): Promise<DeliveryTarget[]> {
    return (await repo.listForPetition(petitionId)).sort(byPlan);
  }

  /** For packets: a target's id, or its city when only one target of the petition is there (case-insensitive). */
  async function findForPacket(petitionId: string, idOrCity: string): Promise<DeliveryTarget> {
    const targets = await repo.listForPetition(petitionId);
    const byId = targets.find((t) => t.id === idOrCity);
    if (byId) return byId;
    const inCity = targets.filter((t) => sameCity(t.city, idOrCity));
    if (inCity.length === 1) return inCity[0]!;
    if (inCity.length === 0) throw noTarget();
    const candidates = inCity.map((t) => `${t.name} (${t.id})`).join('; ');
    throw new AppError(409, 'target_ambiguous', `Several delivery targets are in ${inCity[0]!.city}: ${candidates}. Give the target's id instead.`, undefined, {
      vars: { city: inCity[0]!.city, candidates },
    });
  }

  async function listDelivered(petitionId: string): Promise<DeliveryTarget[]> {
    return (await repo.listForPetition(petitionId)).filter((t) => t.delivery).sort(newestDelivery);
  }

  /** The target with its petition, when the target belongs to that petition (URLs carry both). */
  async function targetOf(slug: string, id: string): Promise<{ petition: Petition; target: DeliveryTarget }> {
    const petition = await petitionFor(slug);
    const target = await repo.find(id);
    if (target?.petitionId !== petition.id) throw noTarget();
    return { petition, target };
  }

  /** Every change is audited, and each is also the moment to forget the cached public list. */
  async function record(actor: string, action: string, target: DeliveryTarget, details: Record<string, unknown> = {}) {
    const petition = await petitions.findById(target.petitionId);
    shown.clear();
    await audit.record({ actor, action, petition: petition?.slug ?? null, details: { target: target.id, city: target.city, ...details }, rows: null });
  }

  async function create(petitionId: string, body: unknown, actor: string): Promise<DeliveryTarget> {
    const petition = (await petitions.findById(petitionId)) ?? throwError(new NotFoundError('There is no such petition.'));
    const id = newTargetId();
    await repo.insert(id, petition.id, parseTarget(body));
    const target = await mustFind(id);
    await record(actor, 'target.create', target);
    return target;
  }

  async function update(id: string, body: unknown, actor: string): Promise<DeliveryTarget> {
    const before = await mustFind(id);
    const fields = parseTarget(body);
    const target = (await repo.update(id, fields)) ?? throwError(noTarget());
    const changed = (Object.keys(fields) as (keyof typeof fields)[]).filter((k) => String(before[k]) !== String(target[k]));
    if (changed.length > 0) await record(actor, 'target.update', target, { changed });
    return target;
  }

  /**
   * A delivered target stays: its packet's manifest and Merkle root are published and receipts are
   * checked against them. An undelivered target goes with its packets and their files, so no list
   * of signers outlives the door it was meant for.
   */
  async function remove(id: string, actor: string): Promise<void> {
    const target = await mustFind(id);
    if (target.delivery) throw deliveredRefusal(target);
    const own = await packets.list(target.petitionId, target.id);
    if (own.some((p) => p.status === 'generating')) throw new AppError(409, 'packet_generating', 'A packet for this target is still being generated. Wait until it is ready, then remove the target.');
    if (!(await repo.removeUndelivered(id))) throw deliveredRefusal(await mustFind(id));
    await packets.remove(own);
    await record(actor, 'target.remove', target, { packets: own.map((p) => p.id) });
  }

  /** Records a handover of one of this target's ready packets; the photo, if any, is cleaned before it is stored. */
  async function markDelivered(id: string, body: unknown, photo: Buffer | null, actor: string): Promise<DeliveryTarget> {
    const target = await mustFind(id);
    if (target.delivery) throw new AppError(409, 'already_delivered', 'This target is already marked delivered.');
    const input = parseDelivery(body);
    const packet = await findPacket(input.packetId);
    if (!packet || packet.targetId !== target.id) throw new ValidationError({ packetId: 'packet_unknown' });
    if (packet.status !== 'ready') throw new ValidationError({ packetId: 'packet_not_ready' });
    const tomorrow = new Date(clock().getTime() + 86_400_000);
    if (input.deliveredAt > tomorrow) throw new ValidationError({ deliveredAt: 'date_future' });

    const clean = photo && photo.length > 0 ? await cleanPhoto(photo, photoMaxMb) : null;
    const stored = clean && (await files.save(`delivery-${target.id}.jpg`, clean.contentType, clean.data, { kind: 'delivery-photo', target: target.id }));
    const delivery = {
      deliveredAt: input.deliveredAt,
      deliveredBy: input.deliveredBy,
      notes: input.notes,
      packetId: packet.id,
      photo: stored ? { fileId: stored.id, contentType: stored.contentType, bytes: stored.bytes, public: input.photoPublic } : null,
      recordedBy: actor,
      recordedAt: clock(),
    };
    const delivered = await repo.recordDelivery(id, delivery);
    if (!delivered) {
      if (stored) await files.remove(stored.id);
      throw new AppError(409, 'already_delivered', 'This target is already marked delivered.');
    }
    await record(actor, 'delivery.record', delivered, { packet: packet.id, signatures: packet.total, photo: !!stored });
    await announce(delivered);
    return delivered;
  }

  /** Admins only (the route checks): a mistaken record disappears from the public page; the audit log keeps it. */
  async function undoDelivery(id: string, actor: string): Promise<DeliveryTarget> {
    const target = await mustFind(id);
    const removed = await repo.clearDelivery(id);
    if (!removed) throw new AppError(409, 'not_delivered', 'This target has no recorded delivery.');
    await withdraw(id);
    if (removed.photo) await files.remove(removed.photo.fileId);
    await record(actor, 'delivery.undo', target, { packet: removed.packetId, deliveredAt: removed.deliveredAt.toISOString().slice(0, 10) });
    return { ...target, delivery: null };
  }

  /** The delivered targets of a public (not draft) petition, with the packet each received. */
  function publicDeliveries(slug: string): Promise<PublicDelivery[]> {
    return shown.get(slug, () => loadPublicDeliveries(slug));
  }

  async function loadPublicDeliveries(slug: string): Promise<PublicDelivery[]> {
    const petition = await petitionFor(slug);
    if (petition.status === 'draft') throw new NotFoundError('There is no such petition.');
    const delivered = await listDelivered(petition.id);
    const rows = await Promise.all(
      delivered.map(async (target) => {
        const { id, city, country, delivery } = target;
        const packet = await findPacket(delivery!.packetId);
        // A delivery always names a ready packet; one that vanished is left out rather than shown with made-up numbers.
        if (!packet || packet.status !== 'ready') return null;
        const deliveredAt = delivery!.deliveredAt.toISOString().slice(0, 10);
        return { city, country, recipient: recipientOf(target), deliveredAt, signatures: packet.total, packetRoot: packet.root, packetId: packet.id, targetId: id, hasPublicPhoto: !!delivery!.photo?.public };
      }),
    );
    return rows.filter((r) => r !== null);
  }

  /** A delivery photo: to the public only when the organiser chose to show it, to staff always. */
  async function photo(slug: string, targetId: string, { staff }: { staff: boolean }): Promise<{ stream: Readable; contentType: string; bytes: number }> {
    const { petition, target } = await targetOf(slug, targetId);
    const stored = target.delivery?.photo;
    if (!stored || !(staff || (stored.public && petition.status !== 'draft'))) throw new NotFoundError('There is no such photo.');
    const { fileId, contentType, bytes } = stored;
    return { stream: await files.open(fileId), contentType, bytes };
  }

  /** Idempotent: each demo target has a fixed id, so a second run adds nothing. Returns how many were added. */
  async function seedDemo(slug: string, demo: readonly NewDemoTarget[]): Promise<number> {
    const petition = await petitions.findBySlug(slug);
    if (!petition) return 0;
    const added = await Promise.all(demo.map(({ key, ...fields }) => repo.insert(`demo-${petition.id}-${key}`, petition.id, fields)));
    return added.filter(Boolean).length;
  }

  return { photoMaxMb, petitionFor, targetOf, find, listForPetition, findForPacket, listDelivered, create, update, remove, markDelivered, undoDelivery, publicDeliveries, photo, seedDemo };
}

const deliveredRefusal = ({ name, delivery }: DeliveryTarget) =>
  new AppError(
    409,
    'target_delivered',
    delivery
      ? `${name} cannot be removed: its delivery of ${delivery.deliveredAt.toISOString().slice(0, 10)} (packet ${delivery.packetId}) is published, and signers' receipts are checked against it. An admin can undo a delivery recorded by mistake; then the target can be removed.`
      : 'This target has a recorded delivery. Undo the delivery first.',
    undefined,
    { vars: { name, date: delivery?.deliveredAt.toISOString().slice(0, 10) ?? '', packetId: delivery?.packetId ?? '' } },
  );

const throwError = (error: Error): never => {
  throw error;
};

export type TargetService = ReturnType<typeof createTargetService>;
