import { Router, type Request, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { AppError } from '../shared/errors.js';
import { fieldMessages } from '../web/field-errors.js';
import { parseReceipt, parseReceiptText } from './receipt-schema.js';
import type { ReceiptVerifier } from './receipt-verifier.js';
import { verifyResultJson, verifyResultView } from './receipt-view.js';

/** A receipt is about 2 kB; an upload or paste larger than this is not one. */
export const MAX_RECEIPT_KB = 64;

interface Csrf {
  protect: RequestHandler;
  token: (req: Request, res: Response) => string;
}

/** The public /verify page: paste or upload a receipt, see what it proves. */
export function verifyPageRoutes({ verify, csrf }: { verify: ReceiptVerifier; csrf: Csrf }): Router {
  const router = Router();
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: MAX_RECEIPT_KB * 1024, fieldSize: MAX_RECEIPT_KB * 1024, files: 1, fields: 3, parts: 4, headerPairs: 20 },
  }).single('file');

  function renderForm(req: Request, res: Response, state: { receipt?: string; problems?: { path: string; message: string }[]; notice?: string } = {}) {
    res.render('verify', { title: res.locals.t('receipts.verify.title'), csrfToken: csrf.token(req, res), maxKb: MAX_RECEIPT_KB, ...state });
  }

  // Upload problems are the sender's: the form comes back with the reason, and nothing is checked.
  const receive: RequestHandler = (req, res, next) => {
    upload(req, res, (error: unknown) => {
      if (!error) return next();
      const tooLarge = error instanceof multer.MulterError && (error.code === 'LIMIT_FILE_SIZE' || error.code === 'LIMIT_FIELD_VALUE');
      res.status(tooLarge ? 413 : 400);
      renderForm(req, res, { notice: res.locals.t(tooLarge ? 'receipts.verify.tooLarge' : 'receipts.verify.unreadable', { kb: MAX_RECEIPT_KB }) });
    });
  };

  router.get('/verify', (req, res) => renderForm(req, res));

  router.post('/verify', receive, csrf.protect, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const pasted = typeof body.receipt === 'string' ? body.receipt : '';
    const text = req.file?.size ? req.file.buffer.toString('utf8').replace(/^\uFEFF/, '') : pasted;
    const parsed = parseReceiptText(text);
    if (!parsed.ok) {
      const messages = fieldMessages(parsed.fields, (key) => res.locals.t(key));
      res.status(422);
      renderForm(req, res, { receipt: pasted, problems: Object.entries(messages).map(([path, message]) => ({ path, message })) });
      return;
    }
    const result = await verify(parsed.value);
    res.render('verify-result', { title: res.locals.t('receipts.verify.resultTitle'), ...verifyResultView(result, res.locals.lang) });
  });

  return router;
}

/** POST /api/v1/verify: the same check, JSON in and out. */
export function verifyApiRoutes(verify: ReceiptVerifier): Router {
  const router = Router();
  router.post('/verify', async (req, res) => {
    const parsed = parseReceipt(req.body);
    if (!parsed.ok) throw new AppError(422, 'receipt_malformed', 'This is not a valid receipt: see the fields named.', parsed.fields);
    res.json(verifyResultJson(await verify(parsed.value)));
  });
  return router;
}
