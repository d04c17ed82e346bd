/**
 * If-None-Match by RFC 9110's weak comparison. Not Express's `req.fresh`, which is a cache's rule and answers in full
 * whenever the request says `Cache-Control: no-cache` (as fetch() does when given a validator).
 */
export const matchesEtag = (header: string | undefined, etag: string): boolean =>
  header !== undefined && header.split(',').some((tag) => tag.trim() === '*' || tag.trim().replace(/^W\//, '') === etag.replace(/^W\//, ''));
