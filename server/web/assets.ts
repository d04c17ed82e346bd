import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import express, { type RequestHandler } from 'express';

/**
 * Static files are served under names that carry their content hash, so they can be cached for
 * a year: a changed file gets a new name. `url('css/site.css')` gives the hashed path.
 */
export function createAssets(publicDir: string): { url: (name: string) => string; middleware: RequestHandler } {
  const byLogical = new Map<string, string>();
  const byHashed = new Map<string, string>();
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const full = path.join(dir, entry);
      if (statSync(full).isDirectory()) walk(full);
      else {
        const logical = path.relative(publicDir, full).split(path.sep).join('/');
        const hash = createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 10);
        const ext = path.extname(logical);
        const hashed = `${logical.slice(0, -ext.length || undefined)}.${hash}${ext}`;
        byLogical.set(logical, `/static/${hashed}`);
        byHashed.set(hashed, logical);
      }
    }
  };
  walk(publicDir);
  const serve = express.static(publicDir, { immutable: true, maxAge: '365d', index: false, fallthrough: true });

  return {
    url: (name) => {
      const url = byLogical.get(name);
      if (!url) throw new Error(`unknown asset ${name}`);
      return url;
    },
    middleware: (req, res, next) => {
      const logical = byHashed.get(req.path.replace(/^\//, ''));
      if (!logical) {
        next();
        return;
      }
      req.url = `/${logical}`;
      void serve(req, res, next);
    },
  };
}
