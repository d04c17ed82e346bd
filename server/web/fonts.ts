import { readFileSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';
import { languageInfo, type LanguageInfo } from '../i18n/languages.js';

type FontGroup = NonNullable<LanguageInfo['fonts']>;

// The installed @fontsource packages, each split by unicode-range into small woff2 files: a page downloads only the
// pieces holding characters it shows, and only pages in that language link the stylesheets at all.
const PACKAGES: Record<FontGroup, string> = { arabic: 'noto-sans-arabic', sc: 'noto-sans-sc', tc: 'noto-sans-tc' };
const WEIGHTS = ['400', '700'];

/**
 * Serves the web fonts of Arabic and Chinese pages from the site itself (no request leaves it) under
 * `/static/fonts/<package>/<version>/`: the package's own stylesheets, whose relative `files/...` URLs then resolve
 * here too. The version in the path changes whenever a file does, so everything is cached for a year.
 */
export function createFonts(fontsourceDir: string): { stylesheets: (lang: string) => readonly string[]; middleware: RequestHandler } {
  const byGroup = new Map<string, string[]>();
  const served = new Map<string, string>();
  for (const [group, name] of Object.entries(PACKAGES)) {
    const dir = path.join(fontsourceDir, name);
    const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version: string };
    const base = `/${name}/${version}`;
    byGroup.set(group, WEIGHTS.map((weight) => `/static/fonts${base}/${weight}.css`));
    for (const weight of WEIGHTS) {
      served.set(`${base}/${weight}.css`, `/${name}/${weight}.css`);
      // Only the font files these stylesheets name: the packages hold every other weight too.
      for (const [, file] of readFileSync(path.join(dir, `${weight}.css`), 'utf8').matchAll(/url\(\.\/files\/([\w.-]+)\)/g)) {
        served.set(`${base}/files/${file}`, `/${name}/files/${file}`);
      }
    }
  }
  const serve = express.static(fontsourceDir, { immutable: true, maxAge: '365d', index: false, fallthrough: true });

  return {
    stylesheets: (lang) => {
      const group = languageInfo(lang).fonts;
      return group ? (byGroup.get(group) ?? []) : [];
    },
    middleware: (req, res, next) => {
      const file = served.get(req.path);
      if (!file) {
        next();
        return;
      }
      req.url = file;
      void serve(req, res, next);
    },
  };
}
