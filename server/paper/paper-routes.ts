import { Router, type RequestHandler, type Response } from 'express';
import multer from 'multer';
import { allow } from '../accounts/current-user.js';
import { ImportRefused, PAPER_COLUMNS, tooLarge } from './paper-format.js';
import type { PaperImportService } from './paper-import-service.js';
import { reportView } from './paper-report.js';

const EXAMPLE = [
  'first_name,last_name,email,country,postcode,collected_at,collected_where',
  'Amina,Yusuf,amina@example.org,GB,N1 9GU,2025-03-14,"Trafalgar Square, London"',
  'Jean,Dupont,,France,,2025-03-15,Place de la République',
].join('\n');

/** Upload problems other than size (a second file, a stray field) are the sender's mistake: 400. */
function uploadError(error: unknown, maxMb: number): unknown {
  if (!(error instanceof multer.MulterError)) return error;
  if (error.code === 'LIMIT_FILE_SIZE') return tooLarge(maxMb);
  return new ImportRefused(400, 'upload', 'The upload could not be read. Send one CSV file in the field "file".');
}

/** The paper-signature upload page and its report (organisers and admins). */
export function paperRoutes({ paperImport, protect }: { paperImport: PaperImportService; protect: RequestHandler }): Router {
  const router = Router();
  const gate = allow('importPaper');
  const { maxMb } = paperImport;
  // Memory storage: the file is at most maxMb, parsed at once, and never touches the disk.
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: maxMb * 1024 * 1024, files: 1, fields: 4, fieldSize: 1024, parts: 5, headerPairs: 20 },
  }).single('file');

  async function renderForm(res: Response, slug: string, refused?: ImportRefused) {
    const petition = await paperImport.petitionFor(slug);
    res.status(refused?.status ?? 200).render('admin/paper-import', {
      layout: 'admin',
      title: res.locals.t('paper.title'),
      petition,
      closed: petition.status === 'closed',
      maxMb,
      columns: PAPER_COLUMNS,
      example: EXAMPLE,
      refused: refused && res.locals.t(`paper.errors.${refused.key}`, refused.vars),
    });
  }

  // A refused upload shows the form again with the reason; CSRF is checked only before importing.
  const receive: RequestHandler = (req, res, next) => {
    upload(req, res, (raw: unknown) => {
      const error = raw ? uploadError(raw, maxMb) : undefined;
      if (error instanceof ImportRefused) renderForm(res, String(req.params.slug), error).catch(next);
      else next(error);
    });
  };

  router.get('/petitions/:slug/import', gate, async (req, res) => renderForm(res, String(req.params.slug)));

  router.post('/petitions/:slug/import', gate, receive, protect, async (req, res) => {
    const slug = String(req.params.slug);
    try {
      if (!req.file) throw new ImportRefused(422, 'noFile', 'Choose a CSV file to upload.');
      const report = await paperImport.importFile({ slug, data: req.file.buffer, actor: req.user!.email });
      res.render('admin/paper-report', {
        layout: 'admin',
        title: res.locals.t('paper.report.title'),
        petition: report.petition,
        report: reportView(res.locals.t, report),
      });
    } catch (error) {
      if (!(error instanceof ImportRefused)) throw error;
      await renderForm(res, slug, error);
    }
  });

  return router;
}
