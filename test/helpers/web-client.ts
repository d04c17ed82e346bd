export interface WebResponse {
  status: number;
  headers: Headers;
  html: string;
  /** The Location header of a redirect, relative to the site. */
  location: string | null;
}

/**
 * A person's browser, reduced to what the HTML pages need: cookies kept between requests,
 * redirects not followed (tests look at each step), forms posted url-encoded.
 */
export function aWebClient(baseUrl: string) {
  const cookies = new Map<string, string>();

  async function request(path: string, init: RequestInit = {}): Promise<WebResponse> {
    const headers = new Headers(init.headers);
    if (cookies.size > 0) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(new URL(path, baseUrl), { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
    const location = res.headers.get('location');
    const target = location === null ? null : new URL(location, baseUrl);
    return { status: res.status, headers: res.headers, html: await res.text(), location: target && target.pathname + target.search };
  }

  return {
    cookies,
    get: (path: string) => request(path),
    post: (path: string, form: Record<string, string>) =>
      request(path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() }),
  };
}

export type WebClient = ReturnType<typeof aWebClient>;

const unescapeHtml = (s: string) =>
  s.replace(/&(#x?[0-9a-f]+|amp|lt|gt|quot);/gi, (_, e: string) => {
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"' };
    if (named[e.toLowerCase()]) return named[e.toLowerCase()]!;
    return String.fromCodePoint(e[1]?.toLowerCase() === 'x' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
  });

/** The opening tag of the element with this id, or undefined. */
export function tagWithId(html: string, id: string): string | undefined {
  return new RegExp(`<[a-z]+\\b[^>]*\\bid="${id}"[^>]*>`, 'i').exec(html)?.[0];
}

export function attribute(tag: string | undefined, name: string): string | undefined {
  const value = tag && new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag)?.[1];
  return value === undefined ? undefined : unescapeHtml(value);
}

/** The value a form field would submit: input value, textarea text or the selected option. */
export function fieldValue(html: string, name: string): string | undefined {
  const textarea = new RegExp(`<textarea\\b[^>]*\\bname="${name}"[^>]*>([\\s\\S]*?)</textarea>`, 'i').exec(html);
  if (textarea) return unescapeHtml(textarea[1] ?? '');
  const select = new RegExp(`<select\\b[^>]*\\bname="${name}"[^>]*>([\\s\\S]*?)</select>`, 'i').exec(html);
  if (select) return attribute(/<option\b[^>]*\sselected[^>]*>/i.exec(select[1] ?? '')?.[0], 'value');
  return attribute(new RegExp(`<input\\b[^>]*\\bname="${name}"[^>]*>`, 'i').exec(html)?.[0], 'value');
}

/** Text of the first element matching an opening-tag pattern, tags stripped. */
export function textOf(html: string, openTag: RegExp): string | undefined {
  const match = new RegExp(`${openTag.source}([\\s\\S]*?)</`, 'i').exec(html);
  return match ? unescapeHtml((match[1] ?? '').replace(/<[^>]+>/g, '')).trim() : undefined;
}
