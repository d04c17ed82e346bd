import { intlLocale } from '../i18n/languages.js';
import path from 'node:path';
import { create } from 'express-handlebars';
import type { Express } from 'express';

const formats = new Map<string, Intl.NumberFormat>();
// Building a formatter costs about 50 µs; a dashboard formats hundreds of numbers.
export const numberFormat = (lang: string): Intl.NumberFormat => {
  let format = formats.get(lang);
  if (!format) formats.set(lang, (format = new Intl.NumberFormat(intlLocale(lang))));
  return format;
};

/** Views hold no logic beyond loops and conditionals; these helpers are the only vocabulary. */
export function configureViews(app: Express, viewsDir: string, assetUrl: (name: string) => string, fontStylesheets: (lang: string) => readonly string[]) {
  const hbs = create({
    extname: '.hbs',
    defaultLayout: 'main',
    layoutsDir: path.join(viewsDir, 'layouts'),
    partialsDir: path.join(viewsDir, 'partials'),
    helpers: {
      // `t` reads the translator the request put in res.locals.
      t(key: string, options: { hash: Record<string, unknown>; data: { root: { t: (k: string, v: object) => string } } }) {
        return options.data.root.t(key, options.hash);
      },
      asset: (name: string) => assetUrl(name),
      // The web fonts a page in `lang` links: none for Latin pages.
      fonts: (lang: string) => fontStylesheets(lang),
      eq: (a: unknown, b: unknown) => a === b,
      // Builds translation keys such as `roles.<role>` from a fixed prefix and a known value.
      concat: (...parts: unknown[]) => parts.slice(0, -1).join(''),
      number(value: number, options: { data: { root: { lang: string } } }) {
        return numberFormat(options.data.root.lang).format(value);
      },
      // For scripts that format numbers in the browser, so they use the page's digits (languages.ts says which).
      locale: (options: { data: { root: { lang: string } } }) => intlLocale(options.data.root.lang),
    },
  });
  app.engine('.hbs', hbs.engine);
  app.set('view engine', '.hbs');
  app.set('views', path.join(viewsDir, 'pages'));
}
