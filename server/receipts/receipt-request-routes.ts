import { Router, type Request, type RequestHandler, type Response } from 'express';
import { rateLimit, type Store } from 'express-rate-limit';
import type { PetitionService } from '../petitions/petition-service.js';
import { headingIn } from '../petitions/petition-text.js';
import { AppError } from '../shared/errors.js';
import { normaliseEmail } from '../signatures/email-normaliser.js';
import type { ReceiptRequests } from './receipt-request.js';

interface Deps {
  requests: ReceiptRequests;
  petitions: Pick<PetitionService, 'findVisible' | 'listOpen'>;
  csrf: { protect: RequestHandler; token: (req: Request, res: Response) => string };
  /** Requests per minute per client, as for signing. */
  perMinute: number;
  store: Store;
}

/**
 * The "lost my receipt" page of a petition. Its answer to a valid address is the same page, byte for byte, whether
 * or not that address signed: the rate limit is its own and sends no headers (a count of remaining requests would
 * differ between two answers), and the request is queued either way (receipt-request.ts).
 */
export function receiptRequestRoutes({ requests, petitions, csrf, perMinute, store }: Deps): Router {
  const router = Router();
  const limit = rateLimit({
    windowMs: 60_000,
    limit: perMinute,
    standardHeaders: false,
    legacyHeaders: false,
    store,
    handler: (_req, _res, next) => next(new AppError(429, 'rate_limited', 'Too many attempts. Please wait a minute and try again.')),
  });

  async function renderForm(req: Request<{ slug: string }>, res: Response, state: { email?: string; error?: string } = {}) {
    const petition = headingIn(await petitions.findVisible(req.params.slug), res.locals.lang);
    res.render('receipt-request', { title: res.locals.t('receiptsLost.title'), petition, csrfToken: csrf.token(req, res), ...state });
  }

  // From the verify page, which knows no petition: the requests are per petition, since a signature is.
  router.get('/receipts/lost', async (_req, res) => {
    res.render('receipts-lost', { title: res.locals.t('receiptsLost.title'), petitions: await petitions.listOpen(res.locals.lang) });
  });

  router.get('/petitions/:slug/receipt', (req: Request<{ slug: string }>, res) => renderForm(req, res));

  router.post('/petitions/:slug/receipt', limit, csrf.protect, async (req: Request<{ slug: string }>, res) => {
    const entered = typeof (req.body as Record<string, unknown> | undefined)?.email === 'string' ? String((req.body as Record<string, unknown>).email) : '';
    const email = normaliseEmail(entered);
    if (!email.ok) {
      res.status(422);
      await renderForm(req, res, { email: entered, error: res.locals.t('receiptsLost.emailInvalid') });
      return;
    }
    const petition = await petitions.findVisible(req.params.slug);
    await requests.request(petition.id, email.canonical, res.locals.lang);
    res.render('receipt-request-sent', { title: res.locals.t('receiptsLost.sentTitle'), petition: headingIn(petition, res.locals.lang) });
  });

  return router;
}
