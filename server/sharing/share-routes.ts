import { Router, type Request, type Response } from 'express';
import type { Language } from '../i18n/languages.js';
import type { PdfFonts } from '../packets/pdf/fonts.js';
import type { PetitionService } from '../petitions/petition-service.js';
import { textIn } from '../petitions/petition-text.js';
import { qrPng, qrSvg } from './qr-code.js';
import { writeSharePoster } from './share-poster.js';
import { sharedUrl } from './share-links.js';

interface Deps {
  petitions: Pick<PetitionService, 'findVisible'>;
  /** Looked up when a poster is asked for: a 503 naming the missing fonts, like packets. */
  fonts: () => PdfFonts;
  baseUrl: string;
  organisation: string;
  clock?: () => Date;
}

// The same for everyone (no cookie, no count): shared caches may keep them; a day, as a title may be edited.
const cacheable = (res: Response, type: string) => res.set({ 'Content-Type': type, 'Cache-Control': 'public, max-age=86400' });

/** The QR code of a petition's address (SVG and PNG) and its printable A4 poster, under any language prefix. */
export function shareRoutes({ petitions, fonts, baseUrl, organisation, clock = () => new Date() }: Deps): Router {
  const router = Router();

  router.get('/petitions/:slug/qr.svg', async (req: Request<{ slug: string }>, res) => {
    const petition = await petitions.findVisible(req.params.slug);
    cacheable(res, 'image/svg+xml; charset=utf-8').send(await qrSvg(sharedUrl(baseUrl, petition.slug, 'qr')));
  });

  router.get('/petitions/:slug/qr.png', async (req: Request<{ slug: string }>, res) => {
    const petition = await petitions.findVisible(req.params.slug);
    cacheable(res, 'image/png').send(await qrPng(sharedUrl(baseUrl, petition.slug, 'qr')));
  });

  router.get('/petitions/:slug/poster.pdf', async (req: Request<{ slug: string }>, res) => {
    const petition = await petitions.findVisible(req.params.slug);
    const lang = res.locals.lang as Language;
    const { t } = res.locals;
    const text = textIn(petition, lang);
    const pdfFonts = fonts();
    cacheable(res, 'application/pdf').set('Content-Disposition', `inline; filename="${petition.slug}-poster-${lang}.pdf"`);
    await writeSharePoster(
      { fonts: pdfFonts },
      {
        language: lang,
        title: text.title,
        titleLanguage: text.language,
        qrUrl: sharedUrl(baseUrl, petition.slug, 'poster'),
        printedUrl: `${baseUrl}/petitions/${petition.slug}`,
        scan: t('sharing.posterScan'),
        paper: t('sharing.posterPaper'),
        organisation,
        date: clock(),
      },
      res,
    );
  });

  return router;
}
