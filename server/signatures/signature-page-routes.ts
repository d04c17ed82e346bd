import { Router, type Request, type RequestHandler } from 'express';
import type { PetitionService } from '../petitions/petition-service.js';
import { headingIn } from '../petitions/petition-text.js';
import type { PetitionPageRenderer } from '../petitions/petition-page-routes.js';
import { rememberedReceipt, rememberReceipt } from '../receipts/receipt-cookie.js';
import type { ReceiptTokens } from '../receipts/receipt-token.js';
import { AppError } from '../shared/errors.js';
import { shareBlock } from '../sharing/share-block.js';
import type { FormGuard } from '../web/form-guard.js';
import { parseSignatureInput, SIGNATURE_FIELDS } from './signature-input.js';
import type { SignatureService } from './signature-service.js';

interface Deps {
  signatures: SignatureService;
  petitions: PetitionService;
  renderPetition: PetitionPageRenderer;
  guard: FormGuard;
  csrf: { protect: RequestHandler; token: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => string };
  limits: { sign: RequestHandler; confirm: RequestHandler };
  receipts: Pick<ReceiptTokens, 'issue'>;
  tokenTtlDays: number;
  baseUrl: string;
}

export function signaturePageRoutes({ signatures, petitions, renderPetition, guard, csrf, limits, receipts, tokenTtlDays, baseUrl }: Deps): Router {
  const router = Router();
  const t = (res: Parameters<RequestHandler>[1]) => res.locals.t as (key: string, vars?: object) => string;

  router.post('/petitions/:slug/sign', limits.sign, csrf.protect, async (req: Request<{ slug: string }>, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const values = Object.fromEntries(SIGNATURE_FIELDS.map((f) => [f, typeof body[f] === 'string' ? body[f] : undefined]));
    const check = guard.check(body);
    if (check === 'honeypot') throw new AppError(422, 'automated', 'Your submission looked automated. Please try again.');
    if (check === 'too_fast') {
      res.status(422);
      await renderPetition(req, res, req.params.slug, { values, notice: 'sign.tooFast' });
      return;
    }
    const input = parseSignatureInput(values, { strict: false });
    if (!input.ok) {
      res.status(422);
      await renderPetition(req, res, req.params.slug, { values, errors: input.fields });
      return;
    }
    const { status, petition } = await signatures.sign(req.params.slug, input.value, { ip: req.ip, lang: res.locals.lang });
    res.redirect(303, `${res.locals.prefix}/petitions/${petition.slug}/${status === 'signed' ? 'thanks' : 'check-email'}`);
  });

  router.get('/petitions/:slug/check-email', async (req: Request<{ slug: string }>, res) => {
    const petition = headingIn(await petitions.findVisible(req.params.slug), res.locals.lang);
    res.render('check-email', { title: t(res)('checkEmail.title'), petition, days: tokenTtlDays, share: await shareBlock({ baseUrl, prefix: res.locals.prefix, petition, t: t(res) }) });
  });

  router.get('/petitions/:slug/thanks', async (req: Request<{ slug: string }>, res) => {
    const petition = headingIn(await petitions.findVisible(req.params.slug), res.locals.lang);
    const confirmed = req.query.confirmed === '1';
    res.render('thanks', {
      title: t(res)('thanks.title'),
      petition,
      confirmed,
      // Only after confirming: the answer to signing must not tell a new email from one that signed before.
      receiptUrl: confirmed ? rememberedReceipt(req, res.locals.lang) : null,
      share: await shareBlock({ baseUrl, prefix: res.locals.prefix, petition, t: t(res), signed: true }),
    });
  });

  // GET only shows a button: mail scanners that follow links must not confirm anything.
  router.get('/confirm/:token', async (req: Request<{ token: string }>, res) => {
    try {
      const { petition } = await signatures.checkToken(req.params.token);
      res.render('confirm', { title: t(res)('confirm.title'), petition: headingIn(petition, res.locals.lang), token: req.params.token, csrfToken: csrf.token(req, res) });
    } catch (error) {
      if (!(error instanceof AppError) || (error.status !== 404 && error.status !== 410)) throw error;
      const kind = error.status === 410 ? 'expired' : 'unknown';
      res.status(error.status).render('confirm-problem', { title: t(res)(`confirm.${kind}Title`), body: t(res)(`confirm.${kind}Body`, { days: tokenTtlDays }) });
    }
  });

  router.post('/confirm/:token', limits.confirm, csrf.protect, async (req: Request<{ token: string }>, res) => {
    const { petition, signatureId } = await signatures.confirm(req.params.token);
    rememberReceipt(req, res, petition.slug, receipts.issue(signatureId));
    res.redirect(303, `${res.locals.prefix}/petitions/${petition.slug}/thanks?confirmed=1`);
  });

  return router;
}
