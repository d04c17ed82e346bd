import { Router } from 'express';
import type { PrivacyNotice } from './privacy-notice.js';

/** `/privacy` and `/petitions/:slug/privacy`, in every language (the language middleware strips `/es` …). */
export function privacyRoutes(notice: PrivacyNotice): Router {
  const router = Router();

  router.get('/privacy', async (_req, res) => {
    const { lang, t } = res.locals;
    res.render('privacy', { title: t('privacy.title'), ...(await notice.site(lang)) });
  });

  router.get('/petitions/:slug/privacy', async (req, res) => {
    const { lang, t } = res.locals;
    const view = await notice.petition(req.params.slug, lang, t);
    res.render('privacy', { title: t('privacy.petitionTitle', { title: view.petition.title }), privacyPath: `/petitions/${view.petition.slug}/privacy`, ...view });
  });

  return router;
}
