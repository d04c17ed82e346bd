import { Router, type Request } from 'express';
import { allow } from '../accounts/current-user.js';
import { packetStatus } from '../packets/packet-types.js';
import { NotFoundError } from '../shared/errors.js';
import type { PacketDesk } from './delivery-admin-routes.js';
import type { TargetService } from './target-service.js';

/** JSON for the packet page's progress bar: whoever may see the page may see how far a packet has come. */
export function packetApiRoutes({ targets, packets }: { targets: Pick<TargetService, 'petitionFor'>; packets: Pick<PacketDesk, 'find'> }): Router {
  const router = Router();
  router.get('/petitions/:slug/packets/:id', allow('viewDeliveries'), async (req: Request<{ slug: string; id: string }>, res) => {
    const petition = await targets.petitionFor(req.params.slug);
    const packet = await packets.find(req.params.id);
    if (packet?.petitionId !== petition.id) throw new NotFoundError('There is no such packet.');
    res.set('Cache-Control', 'no-store').json(packetStatus(packet));
  });
  return router;
}
