import { createHash, randomBytes } from 'node:crypto';
import Handlebars from 'handlebars';

/** What differs between two browsers viewing the same petition page. */
export interface PerBrowser {
  /** The CSRF token, bound to the browser's hv_sid cookie. */
  csrfToken: string;
  /** The form guard's signed start time. */
  started: string;
  /** The referring site's host name, or ''. */
  referrer: string;
}

/**
 * Stand-ins for the per-browser parts: the shared page is rendered with these, and every response gets its own
 * values in their place. 128 random bits, new in each process and never sent: no petition text or query string
 * can hold one, and letters and digits pass through the views' HTML escaping unchanged.
 */
const SLOT_ID = randomBytes(16).toString('hex');
const SLOT = /hv([0-9a-f]{32})(csrfToken|started|referrer)/;
export const SLOTS: PerBrowser = { csrfToken: `hv${SLOT_ID}csrfToken`, started: `hv${SLOT_ID}started`, referrer: `hv${SLOT_ID}referrer` };

const hash = (text: string) => createHash('sha256').update(text).digest('base64url').slice(0, 22);

/** A rendered page cut at its slots, ready to be filled for each browser. */
export interface CachedPage {
  /** For one browser: the page and its ETag, which covers the shared page and this browser's token and referrer. */
  for(browser: PerBrowser): { html: Buffer; etag: string };
}

function cut(html: string): CachedPage {
  // Split with the capturing groups: text, id, name, text, id, name, text ...; only this process's id is a slot.
  const parts = html.split(new RegExp(SLOT.source, 'g'));
  // Encoded once: a view copies the bytes instead of encoding 35-60 kB of text again.
  const texts = parts.filter((_, i) => i % 3 === 0).map((text) => Buffer.from(text));
  const slots = parts.flatMap((part, i) => (i % 3 === 2 ? [parts[i - 1] === SLOT_ID ? (part as keyof PerBrowser) : `hv${parts[i - 1]}${part}`] : []));
  const shared = hash(html);
  return {
    for(browser) {
      const filled: Buffer[] = [texts[0]!];
      slots.forEach((slot, i) => {
        const value = slot in browser ? Handlebars.escapeExpression(browser[slot as keyof PerBrowser]) : slot;
        filled.push(Buffer.from(value), texts[i + 1]!);
      });
      // Weak: two responses with one ETag differ in `started`, which the guard only needs to be old enough, so a
      // browser that keeps its earlier page (a 304) keeps a start time that still passes.
      return { html: Buffer.concat(filled), etag: `W/"${shared}.${hash(`${browser.csrfToken}\n${browser.referrer}`)}"` };
    },
  };
}

/**
 * Rendered petition pages, each kept for `ttlMs` and shared by every visitor, for up to `maxEntries` pages (the least
 * recently used goes first: a key holds the query string, which anyone can vary). An entry rendered from an older
 * `version` of its petition is never served, so an organiser's change shows on the next view. Visitors arriving
 * together while a page is rendered wait for that one rendering.
 */
export function createPageCache({ ttlMs, maxEntries, now = Date.now }: { ttlMs: number; maxEntries: number; now?: () => number }) {
  const entries = new Map<string, { at: number; version: string; page: Promise<CachedPage> }>();
  return {
    get(key: string, version: string, render: () => Promise<string>): Promise<CachedPage> {
      const hit = entries.get(key);
      entries.delete(key);
      if (hit && hit.version === version && now() - hit.at < ttlMs) {
        entries.set(key, hit);
        return hit.page;
      }
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value!);
      // The time before rendering: the counts the page shows are read after it, so they are never older than the entry.
      const entry = { at: now(), version, page: render().then(cut) };
      entries.set(key, entry);
      entry.page.catch(() => entries.get(key) === entry && entries.delete(key));
      return entry.page;
    },
  };
}

export type PageCache = ReturnType<typeof createPageCache>;
