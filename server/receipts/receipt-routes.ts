import { Router, type Request, type RequestHandler, type Response } from 'express';
import type { ReceiptService } from './receipt-service.js';
import { receiptView } from './receipt-view.js';

/** A receipt is one person's: never cached by anyone else, never indexed. */
const privatePage = (res: Response) => res.set({ 'Cache-Control': 'private, no-store', 'X-Robots-Tag': 'noindex, nofollow' });

/** A signer's private receipt page and the proofs it offers. Unknown links are 404 pages. */
export function receiptRoutes({ receipts, limit }: { receipts: ReceiptService; limit: RequestHandler }): Router {
  const router = Router();

  router.get('/receipts/:token', limit, async (req: Request<{ token: string }>, res) => {
    privatePage(res);
    const receipt = await receipts.open(req.params.token);
    res.render('receipt', { title: res.locals.t('receipts.title'), ...receiptView(receipt, req.params.token, res.locals.lang) });
  });

  router.get('/receipts/:token/packets/:packetId.json', limit, async (req: Request<{ token: string; packetId: string }>, res) => {
    privatePage(res);
    const receipt = await receipts.proof(req.params.token, req.params.packetId);
    res.attachment(`handover-receipt-${receipt.packetId}.json`);
    res.type('application/json').send(`${JSON.stringify(receipt, null, 2)}\n`);
  });

  return router;
}
