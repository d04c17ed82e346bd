import { Router, type Request, type RequestHandler } from 'express';
import { ValidationError } from '../shared/errors.js';
import { parseSignatureInput } from './signature-input.js';
import type { SignatureService } from './signature-service.js';

export function signatureApiRoutes(signatures: SignatureService, limits: { sign: RequestHandler; confirm: RequestHandler }): Router {
  const router = Router();

  router.post('/petitions/:slug/signatures', limits.sign, async (req: Request<{ slug: string }>, res) => {
    const input = parseSignatureInput(req.body, { strict: true });
    if (!input.ok) throw new ValidationError(input.fields);
    const { status } = await signatures.sign(req.params.slug, input.value, { ip: req.ip, lang: res.locals.lang });
    res.status(202).json({ status });
  });

  router.post('/confirm/:token', limits.confirm, async (req: Request<{ token: string }>, res) => {
    const { status } = await signatures.confirm(req.params.token);
    res.json({ status });
  });

  return router;
}
