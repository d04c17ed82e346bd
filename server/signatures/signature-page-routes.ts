import { Router, type Request, type RequestHandler } from 'express';
import type { PetitionService } from '../petitions/petition-service.js';
import { headingIn } from '../petitions/petition-text.js';
import type { PetitionPageRenderer } from '../petitions/petition-page-routes.js';
import { rememberedReceipt, rememberedReceiptToken, rememberReceipt } from '../receipts/receipt-cookie.js';
import type { PersonalLink } from '../receipts/receipt-service.js';
import type { ReceiptTokens } from '../receipts/receipt-token.js';
import { AppError } from '../shared/errors.js';
import { shareBlock } from '../sharing/share-block.js';
import type { FormGuard } from '../web/form-guard.js';
import { signFromForm } from './sign-form.js';
import type { SignatureService } from './signature-service.js';

interface Deps {
  signatures: SignatureService;
  petitions: PetitionService;
  renderPetition: PetitionPageRenderer;
  guard: FormGuard;
  csrf: { protect: RequestHandler; token: (req: Parameters<RequestHandler>[0], res: Parameters<RequestHandler>[1]) => string };
  limits: { sign: RequestHandler; confirm: RequestHandler };
  receipts: Pick<ReceiptTokens, 'issue'>;
  /** The signer's personal share link and its count, from their receipt token (receipts/receipt-service.ts). */
  personalLink: (receiptToken: string) => Promise<PersonalLink | null>;
  tokenTtlDays: number;
  baseUrl: string;
}

export function signaturePageRoutes({ signatures, petitions, renderPetition, guard, csrf, limits, receipts, personalLink, tokenTtlDays, baseUrl }: Deps): Router {
  const router = Router();
  const t = (res: Parameters<RequestHandler>[1]) => res.locals.t as (key: string, vars?: object) => string;

  router.post('/petitions/:slug/sign', limits.sign, csrf.protect, async (req: Request<{ slug: string }>, res) => {
    const signing = await signFromForm(req.body, req.params.slug, { guard, signatures }, { ip: req.ip, lang: res.locals.lang });
    if (signing.outcome === 'refused') {
      res.status(422);
      await renderPetition(req, res, req.params.slug, signing);
      return;
    }
    res.redirect(303, `${res.locals.prefix}/petitions/${signing.petition.slug}/${signing.status === 'signed' ? 'thanks' : 'check-email'}`);
  });

  router.get('/petitions/:slug/check-email', async (req: Request<{ slug: string }>, res) => {
    const petition = headingIn(await petitions.findVisible(req.params.slug), res.locals.lang);
    res.render('check-email', { title: t(res)('checkEmail.title'), petition, days: tokenTtlDays, share: await shareBlock({ baseUrl, prefix: res.locals.prefix, petition, t: t(res) }) });
  });

  router.get('/petitions/:slug/thanks', async (req: Request<{ slug: string }>, res) => {
    const petition = headingIn(await petitions.findVisible(req.params.slug), res.locals.lang);
    const confirmed = req.query.confirmed === '1';
    // Only after confirming: the answer to signing must not tell a new email from one that signed before.
    const receiptToken = confirmed ? rememberedReceiptToken(req) : null;
    const personal = receiptToken ? await personalLink(receiptToken) : null;
    res.render('thanks', {
      title: t(res)('thanks.title'),
      petition,
      confirmed,
      receiptUrl: receiptToken ? rememberedReceipt(req, res.locals.lang) : null,
      share: await shareBlock({ baseUrl, prefix: res.locals.prefix, petition, t: t(res), signed: true, personal: personal?.slug === petition.slug ? personal : null, lang: res.locals.lang }),
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
