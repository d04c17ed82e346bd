import { Router, type Request, type RequestHandler, type Response } from 'express';
import { headingIn } from '../petitions/petition-text.js';
import { shareBlock } from '../sharing/share-block.js';
import type { ReceiptService } from './receipt-service.js';
import { receiptView, withdrawnView } from './receipt-view.js';

interface Csrf {
  token: (req: Request, res: Response) => string;
}

/** What the signer's actions (signer-rights-routes.ts) report back on the receipt. */
const SAVED: Record<string, string> = { name: 'savedName', updates: 'savedUpdates' };

/** A receipt is one person's: never cached by anyone else, never indexed. */
const privatePage = (res: Response) => res.set({ 'Cache-Control': 'private, no-store', 'X-Robots-Tag': 'noindex, nofollow' });

/** A signer's private receipt page and the proofs it offers. Unknown links are 404 pages. */
export function receiptRoutes({ receipts, limit, baseUrl, csrf }: { receipts: ReceiptService; limit: RequestHandler; baseUrl: string; csrf: Csrf }): Router {
  const router = Router();

  router.get('/receipts/:token', limit, async (req: Request<{ token: string }>, res) => {
    privatePage(res);
    const receipt = await receipts.open(req.params.token);
    const { t, lang, prefix } = res.locals;
    if (receipt.withdrawn) return res.render('receipt-withdrawn', { title: t('signerRights.withdrawn.title'), ...withdrawnView(receipt, lang) });
    // A counted signer's share links carry their personal code (`via`) beside the channel.
    const share = receipt.personal && (await shareBlock({ baseUrl, prefix, petition: headingIn(receipt.petition, lang), t, signed: true, personal: receipt.personal, lang }));
    const saved = typeof req.query.saved === 'string' && Object.hasOwn(SAVED, req.query.saved) ? SAVED[req.query.saved] : null;
    res.render('receipt', { title: t('receipts.title'), ...receiptView(receipt, req.params.token, lang), share, saved, token: req.params.token, csrfToken: csrf.token(req, res) });
  });

  router.get('/receipts/:token/packets/:packetId.json', limit, async (req: Request<{ token: string; packetId: string }>, res) => {
    privatePage(res);
    const receipt = await receipts.proof(req.params.token, req.params.packetId);
    res.attachment(`handover-receipt-${receipt.packetId}.json`);
    res.type('application/json').send(`${JSON.stringify(receipt, null, 2)}\n`);
  });

  return router;
}
