import { Router } from 'express';
import { countryName } from '../countries/countries.js';
import { sendFile } from './delivery-admin-routes.js';
import type { PublicDelivery, TargetService } from './target-service.js';
import { day } from './target-view.js';

type Deliveries = Pick<TargetService, 'publicDeliveries'>;

/** `GET /api/v1/petitions/:slug/deliveries`: exactly the public facts of each handover, newest first. */
export function deliveryApiRoutes(targets: Deliveries): Router {
  const router = Router();
  router.get('/petitions/:slug/deliveries', async (req, res) => {
    const rows = await targets.publicDeliveries(req.params.slug);
    res.set('Cache-Control', 'public, max-age=60');
    res.json({
      deliveries: rows.map(({ city, country, recipient, deliveredAt, signatures, packetRoot, packetId }) => ({ city, country, recipient, deliveredAt, signatures, packetRoot, packetId })),
    });
  });
  return router;
}

/** A delivery photo the organisers chose to show; any other photo is a 404, as if there were none. */
export function deliveryPageRoutes(targets: Pick<TargetService, 'photo'>): Router {
  const router = Router();
  router.get('/petitions/:slug/deliveries/:targetId/photo', async (req, res) => {
    const photo = await targets.photo(req.params.slug, req.params.targetId, { staff: false });
    await sendFile(res, photo.stream, { 'Content-Type': photo.contentType, 'Content-Length': String(photo.bytes), 'Cache-Control': 'public, max-age=300' });
  });
  return router;
}

/** The "Delivered" section of the public petition page. */
export const deliveredSection = (targets: Deliveries) => async (slug: string, lang: string) =>
  (await targets.publicDeliveries(slug)).map((d: PublicDelivery) => ({
    ...d,
    countryName: countryName(d.country, lang),
    day: day(lang, new Date(`${d.deliveredAt}T00:00:00Z`)),
    photoUrl: d.hasPublicPhoto ? `/petitions/${slug}/deliveries/${d.targetId}/photo` : null,
    // Break opportunities (<wbr>) every 16 hex digits: a 64-digit root must not widen a phone's page; copying it still gives the whole root.
    rootParts: d.packetRoot.match(/.{1,16}/g) ?? [],
  }));

export type DeliveredSection = ReturnType<typeof deliveredSection>;
