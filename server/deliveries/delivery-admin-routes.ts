import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { allow } from '../accounts/current-user.js';
import type { AuditLog } from '../audit/audit-repository.js';
import type { Packet } from '../packets/packet-types.js';
import { NotFoundError } from '../shared/errors.js';
import { receivePhoto } from './delivery-photo.js';
import { fieldErrors, targetUrl, type PacketLister } from './target-admin-routes.js';
import { DELIVERY_FIELDS, PACKET_FIELDS, formValues, parsePacketRequest } from './target-input.js';
import type { TargetService } from './target-service.js';
import { renderTargetPage, type TargetPageState } from './target-view.js';

export interface PacketDesk extends PacketLister {
  start(request: { slug: string; target: string; cutoff?: Date | null; countries?: string[] | null; names: string }, actor: string): Promise<Packet>;
  find(id: string): Promise<Packet | null>;
  openZip(packet: Packet): Promise<Readable>;
}

interface Deps {
  targets: TargetService;
  packets: PacketDesk;
  audit: AuditLog;
  protect: RequestHandler;
  photoMaxMb: number;
}

type Params = Request<{ slug: string; id: string }>;

/**
 * Sends a stored file. Its first part is read before any header goes out, so a sealed file that does
 * not open is an error page; a failure after the first byte can only cut the response short.
 */
export async function sendFile(res: Response, stream: Readable, headers: Record<string, string>) {
  const parts = stream[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const first = await parts.next();
  res.set(headers);
  await pipeline(async function* () {
    try {
      for (let part = first; !part.done; part = await parts.next()) yield part.value;
    } finally {
      await parts.return?.(); // a client gone mid-way closes the file too
    }
  }, res);
}

/** Packets for a target, their download, and the delivery log (record; undo for admins). */
export function deliveryAdminRoutes({ targets, packets, audit, protect, photoMaxMb }: Deps): Router {
  const router = Router();
  const manage = allow('manageDeliveries');
  const receive = receivePhoto(photoMaxMb);

  /** Field problems show the target page again with the refused form as typed, and the status of the refusal. */
  async function refuse(req: Params, res: Response, error: unknown, form: 'packet' | 'delivery', fields: readonly string[]) {
    const refused = fieldErrors(error);
    const { petition, target } = await targets.targetOf(req.params.slug, req.params.id);
    const state: TargetPageState = { status: refused.status, refused: { form, values: formValues(req.body, fields), fields: refused.fields } };
    renderTargetPage(res, { petition, target, packets: await packets.list(petition.id, target.id), photoMaxMb }, state);
  }

  router.post('/petitions/:slug/targets/:id/packets', manage, protect, async (req: Params, res) => {
    const { petition, target } = await targets.targetOf(req.params.slug, req.params.id);
    try {
      const { cutoff, countries, names } = parsePacketRequest(req.body);
      await packets.start({ slug: petition.slug, target: target.id, cutoff, countries, names }, req.user!.email);
      res.redirect(303, targetUrl(petition.slug, target.id));
    } catch (error) {
      await refuse(req, res, error, 'packet', PACKET_FIELDS);
    }
  });

  router.get('/petitions/:slug/packets/:id.zip', manage, async (req: Params, res) => {
    const petition = await targets.petitionFor(req.params.slug);
    const packet = await packets.find(req.params.id);
    if (packet?.petitionId !== petition.id) throw new NotFoundError('There is no such packet.');
    const zip = await packets.openZip(packet);
    await audit.record({ actor: req.user!.email, action: 'packet.download', petition: petition.slug, details: { packetId: packet.id, target: packet.targetId }, rows: packet.total });
    await sendFile(res, zip, {
      'Content-Type': 'application/zip',
      'Content-Length': String(packet.zipBytes),
      'Content-Disposition': `attachment; filename="${petition.slug}-${packet.id}.zip"`,
    });
  });

  router.post('/petitions/:slug/targets/:id/deliver', manage, receive, protect, async (req: Params, res) => {
    const { petition, target } = await targets.targetOf(req.params.slug, req.params.id);
    try {
      await targets.markDelivered(target.id, req.body, req.file?.buffer ?? null, req.user!.email);
      res.redirect(303, targetUrl(petition.slug, target.id));
    } catch (error) {
      await refuse(req, res, error, 'delivery', DELIVERY_FIELDS);
    }
  });

  router.post('/petitions/:slug/targets/:id/undo', allow('undoDeliveries'), protect, async (req: Params, res) => {
    const { petition, target } = await targets.targetOf(req.params.slug, req.params.id);
    await targets.undoDelivery(target.id, req.user!.email);
    res.redirect(303, targetUrl(petition.slug, target.id));
  });

  router.get('/petitions/:slug/targets/:id/photo', manage, async (req: Params, res) => {
    const photo = await targets.photo(req.params.slug, req.params.id, { staff: true });
    await sendFile(res, photo.stream, { 'Content-Type': photo.contentType, 'Content-Length': String(photo.bytes) });
  });

  return router;
}
