import express, { Router, type Request, type RequestHandler, type Response } from 'express';
import { countryOptions } from '../countries/countries.js';
import type { I18n } from '../i18n/i18n.js';
import { DEFAULT_LANGUAGE, LANGUAGES, fromAcceptLanguage, isLanguage, localisedPath } from '../i18n/languages.js';
import { externalReferrer, petitionView } from '../petitions/petition-page-routes.js';
import type { PetitionService } from '../petitions/petition-service.js';
import { SLOTS, createPageCache, type PerBrowser } from '../petitions/petition-page-cache.js';
import { signFromForm } from '../signatures/sign-form.js';
import type { SignatureService } from '../signatures/signature-service.js';
import { fieldMessages } from '../web/field-errors.js';
import type { FormGuard } from '../web/form-guard.js';
import { speaker } from '../web/language.js';
import { noStore } from '../web/no-store.js';
import type { SignLimits } from '../web/sign-limits.js';
import type { EmbedCsrf } from './embed-csrf.js';
import { allowFramingBy } from './embed-headers.js';

interface Deps {
  petitions: PetitionService;
  signatures: SignatureService;
  guard: FormGuard;
  csrf: EmbedCsrf;
  limits: Pick<SignLimits, 'sign'>;
  i18n: I18n;
  /** config.BASE_URL: the widget's links to the full petition open on the site, outside the frame. */
  baseUrl: string;
  tokenTtlDays: number;
  /** Applied once the petition (and so who may frame it) is known. */
  headers: RequestHandler;
  /** config.COUNT_CACHE_SECONDS: a rendered widget is shared as long as its count may be kept (as the petition page is). */
  cacheSeconds?: number;
}

// Partners' pages make many addresses (?lang=, their own query strings): a bound on the widgets kept.
const WIDGET_CACHE_ENTRIES = 100;

type SlugRequest = Request<{ slug: string }>;

/**
 * The sign widget: `GET /embed/petitions/<slug>`, its form's `POST …/sign`, and the compact answers after signing.
 * Its language: `?lang=` (its own links and form carry it), else the browser's, else the petition's main language.
 */
export function embedRoutes({ petitions, signatures, guard, csrf, limits, i18n, baseUrl, tokenTtlDays, headers, cacheSeconds = 0 }: Deps): Router {
  const router = Router();
  const speak = speaker(i18n);
  // A shared cache keeps no form token: each browser asks us (the widget itself is shared for a moment, see below).
  router.use('/embed', noStore);
  const widgets = createPageCache({ ttlMs: cacheSeconds * 1000, maxEntries: WIDGET_CACHE_ENTRIES });

  const petitionAndLanguage: RequestHandler = async (req, res, next) => {
    const explicit = isLanguage(req.query.lang) ? req.query.lang : null;
    const browser = fromAcceptLanguage(req.headers['accept-language']);
    if (!explicit) res.vary('Accept-Language');
    // The error page of an unknown petition speaks too.
    speak(res, explicit ?? browser ?? DEFAULT_LANGUAGE);
    const petition = await petitions.findVisible(String(req.params.slug));
    speak(res, explicit ?? browser ?? petition.language);
    allowFramingBy(res, petition.embedOrigins);
    next();
  };
  const widget = (slug: string, lang: string) => `/embed/petitions/${encodeURIComponent(slug)}?lang=${lang}`;

  const referrerOf = (req: Request) => externalReferrer(req.get('referer'), [req.hostname, new URL(baseUrl).hostname]) ?? '';

  /** The widget with `browser`'s parts: one person's values, or the cache's slots. */
  async function render(req: Request, res: Response, slug: string, form: { values?: Record<string, unknown>; errors?: Record<string, string>; notice?: string }, browser: Omit<PerBrowser, 'csrfToken'>) {
    const { lang, t } = res.locals;
    const details = await petitions.details(slug, lang);
    const values = form.values ?? { ref: 'embed', referrer: browser.referrer };
    const errors = fieldMessages(form.errors, t);
    const view = {
      layout: 'embed',
      ...petitionView(details, lang, t),
      petitionUrl: `${baseUrl}${localisedPath(lang, `/petitions/${details.slug}`)}`,
      privacyUrl: `${baseUrl}${localisedPath(lang, `/petitions/${details.slug}/privacy`)}`,
      action: `/embed/petitions/${encodeURIComponent(details.slug)}/sign?lang=${lang}`,
      languages: LANGUAGES.map((l) => ({ code: l.code, name: l.name, dir: l.dir, current: l.code === lang, href: widget(details.slug, l.code) })),
      countries: countryOptions(lang).map((c) => ({ ...c, selected: c.code === values.country })),
      values,
      errors,
      hasErrors: Object.keys(errors).length > 0,
      notice: form.notice ? t(form.notice) : null,
      // Bound to the petition and its issue time, not to a browser: a widget shared for a few seconds shares it harmlessly.
      token: csrf.issue(details.slug),
      started: browser.started,
    };
    return new Promise<string>((resolve, reject) => res.render('embed/widget', view, (error, html) => (error ? reject(error) : resolve(html))));
  }

  // Partners' pages may be busy: the rendered widget is kept per language and address like the petition page, with
  // the fill-time stamp and the partner page's host filled in per view.
  router.get('/embed/petitions/:slug', petitionAndLanguage, headers, async (req: SlugRequest, res) => {
    const { updatedAt } = await petitions.findVisible(req.params.slug);
    const key = `${res.locals.lang}\n${req.originalUrl}`;
    const page = await widgets.get(key, String(updatedAt.getTime()), () => render(req, res, req.params.slug, {}, SLOTS));
    res.type('html').send(page.for({ csrfToken: '', started: guard.issue(), referrer: referrerOf(req) }).html);
  });

  // Cheap refusals first: a request from another site is turned back before its body is read or counted.
  const sameOrigin: RequestHandler = (req, _res, next) => {
    csrf.checkOrigin(req);
    next();
  };
  const body = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });

  router.post('/embed/petitions/:slug/sign', petitionAndLanguage, headers, sameOrigin, limits.sign, body, async (req: SlugRequest, res) => {
    const form = (req.body ?? {}) as Record<string, unknown>;
    csrf.checkToken(form._token, req.params.slug);
    const signing = await signFromForm(form, req.params.slug, { guard, signatures }, { ip: req.ip, lang: res.locals.lang });
    if (signing.outcome === 'refused') {
      res.status(422).type('html').send(await render(req, res, req.params.slug, signing, { started: guard.issue(), referrer: referrerOf(req) }));
      return;
    }
    res.redirect(303, `/embed/petitions/${encodeURIComponent(signing.petition.slug)}/${signing.status === 'signed' ? 'thanks' : 'check-email'}?lang=${res.locals.lang}`);
  });

  for (const outcome of ['check-email', 'thanks'] as const) {
    router.get(`/embed/petitions/:slug/${outcome}`, petitionAndLanguage, headers, async (req: SlugRequest, res) => {
      const { lang, t } = res.locals;
      const details = await petitions.details(req.params.slug, lang);
      res.render('embed/signed', {
        layout: 'embed',
        title: t(outcome === 'thanks' ? 'thanks.title' : 'checkEmail.title'),
        outcome: outcome === 'thanks' ? { thanks: true } : { checkEmail: true, days: tokenTtlDays },
        petition: details,
        petitionUrl: `${baseUrl}${localisedPath(lang, `/petitions/${details.slug}`)}`,
        again: widget(details.slug, lang),
      });
    });
  }

  return router;
}
