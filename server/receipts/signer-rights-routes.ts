import { Router, type Request, type RequestHandler, type Response } from 'express';
import { headingIn } from '../petitions/petition-text.js';
import { ValidationError } from '../shared/errors.js';
import type { ReceiptService } from './receipt-service.js';
import type { SignerRights } from './signer-rights-service.js';

interface Deps {
  rights: SignerRights;
  receipts: Pick<ReceiptService, 'open'>;
  csrf: { protect: RequestHandler; token: (req: Request, res: Response) => string };
  limit: RequestHandler;
}

type TokenRequest = Request<{ token: string }>;

/** Like the receipt itself: one person's, never cached, never indexed. */
const privatePage: RequestHandler = (_req, res, next) => {
  res.set({ 'Cache-Control': 'private, no-store', 'X-Robots-Tag': 'noindex, nofollow' });
  next();
};

const HIDE_NAME = { yes: true, no: false } as const;

/** The signer's actions on their receipt page: withdraw (after a confirmation page), name shown or not, updates, their data. */
export function signerRightsRoutes({ rights, receipts, csrf, limit }: Deps): Router {
  const router = Router();
  const receiptPage = (res: Response, token: string, saved?: string) => `${res.locals.prefix}/receipts/${token}${saved ? `?saved=${saved}` : ''}`;

  router.get('/receipts/:token/withdraw', limit, privatePage, async (req: TokenRequest, res) => {
    const receipt = await receipts.open(req.params.token);
    if (receipt.withdrawn) return res.redirect(303, receiptPage(res, req.params.token));
    const { t, lang } = res.locals;
    const delivered = receipt.packets.some((p) => p.included && p.deliveries.length > 0);
    res.render('receipt-withdraw', { title: t('signerRights.withdraw.title'), petition: headingIn(receipt.petition, lang), token: req.params.token, delivered, csrfToken: csrf.token(req, res) });
  });

  router.post('/receipts/:token/withdraw', limit, privatePage, csrf.protect, async (req: TokenRequest, res) => {
    await rights.withdraw(req.params.token);
    res.redirect(303, receiptPage(res, req.params.token));
  });

  router.post('/receipts/:token/name', limit, privatePage, csrf.protect, async (req: TokenRequest, res) => {
    const choice = (req.body as Record<string, unknown> | undefined)?.hideName;
    if (choice !== 'yes' && choice !== 'no') throw new ValidationError({ hideName: 'invalid' });
    await rights.setHideName(req.params.token, HIDE_NAME[choice]);
    res.redirect(303, receiptPage(res, req.params.token, 'name'));
  });

  router.post('/receipts/:token/updates', limit, privatePage, csrf.protect, async (req: TokenRequest, res) => {
    await rights.stopUpdates(req.params.token);
    res.redirect(303, receiptPage(res, req.params.token, 'updates'));
  });

  router.post('/receipts/:token/data', limit, privatePage, csrf.protect, async (req: TokenRequest, res) => {
    const data = await rights.data(req.params.token);
    res.attachment(`handover-my-signature-${data.petition.slug}.json`);
    res.type('application/json').send(`${JSON.stringify(data, null, 2)}\n`);
  });

  return router;
}
