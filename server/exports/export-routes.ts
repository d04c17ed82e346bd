import { Router } from 'express';
import { allow } from '../accounts/current-user.js';
import { languageOption } from '../i18n/language-option.js';
import type { PetitionExport } from './petition-export.js';

/** Downloads of personal data: organisers and admins only. Count exports live with the dashboard. */
export function exportRoutes({ petitionExport }: { petitionExport: PetitionExport }): Router {
  const router = Router();
  router.get('/petitions/:slug/export/signatures.csv', allow('exportSignatures'), async (req, res) => {
    // Country names in `?lang=`, else the workspace's language.
    const job = await petitionExport.prepare('signatures', req.params.slug as string, 'csv', languageOption(req.query.lang, res.locals.lang));
    res.attachment(job.filename);
    res.set({ 'Content-Type': job.contentType, 'Cache-Control': 'no-store' });
    await job.writeTo(res, req.user!.email);
  });
  return router;
}
