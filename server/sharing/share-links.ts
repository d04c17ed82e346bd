/**
 * Where a signature came from, carried as `?ref=` on the link people share and counted per channel when the
 * signature is confirmed (`refs.<channel>` in the tally). Kept to codes the sign form accepts (`[A-Za-z0-9_-]`).
 */
export const CHANNELS = ['whatsapp', 'telegram', 'x', 'facebook', 'linkedin', 'bluesky', 'vk', 'weibo', 'line', 'email', 'copy', 'native', 'qr', 'poster'] as const;
export type Channel = (typeof CHANNELS)[number];

/** The networks a plain link can hand a text and a URL to; copy, native, qr and poster are not links. */
export const NETWORKS = ['whatsapp', 'telegram', 'x', 'facebook', 'linkedin', 'bluesky', 'vk', 'weibo', 'line', 'email'] as const satisfies readonly Channel[];
export type Network = (typeof NETWORKS)[number];

/**
 * The petition's address as shared: unprefixed, so that each person who opens it is sent to their own language
 * (docs/languages.md), with the channel as `ref`, and on a signer's own pages their personal share code as `via`
 * (share-codes.ts).
 */
export const sharedUrl = (baseUrl: string, slug: string, channel: Channel, via: string | null = null): string =>
  `${baseUrl}/petitions/${encodeURIComponent(slug)}?ref=${channel}${via ? `&via=${via}` : ''}`;

// Bluesky refuses posts over 300 graphemes (docs.bsky.app, "Action Intent Links"); the address must survive the cut.
const BLUESKY_LIMIT = 300;

/** `text` cut to at most `limit` graphemes (a cut ends in "…"), so that no letter or emoji is split. */
export function clipGraphemes(text: string, limit: number): string {
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text)].map((s) => s.segment);
  return graphemes.length <= limit ? text : `${graphemes.slice(0, Math.max(0, limit - 1)).join('').trimEnd()}…`;
}

export interface ShareText {
  /** The sentence that goes with the link ("Please sign: <title>"). */
  text: string;
  /** The petition's title alone, for networks with a title field. */
  title: string;
  /** An email's subject line. */
  subject: string;
}

/**
 * Each network's share address, in the form its own documentation gives (checked 2026): the page opens the network's
 * composer with the text and link filled in; nothing is loaded from the network until the person follows the link.
 */
export function networkHref(network: Network, url: string, { text, title, subject }: ShareText): string {
  const enc = encodeURIComponent;
  switch (network) {
    case 'whatsapp':
      return `https://wa.me/?text=${enc(`${text} ${url}`)}`;
    case 'telegram':
      return `https://t.me/share/url?url=${enc(url)}&text=${enc(text)}`;
    case 'x':
      return `https://x.com/intent/post?text=${enc(text)}&url=${enc(url)}`;
    case 'facebook':
      return `https://www.facebook.com/sharer/sharer.php?u=${enc(url)}`;
    case 'linkedin':
      return `https://www.linkedin.com/sharing/share-offsite/?url=${enc(url)}`;
    case 'bluesky':
      return `https://bsky.app/intent/compose?text=${enc(`${clipGraphemes(text, BLUESKY_LIMIT - url.length - 1)} ${url}`)}`;
    case 'vk':
      return `https://vk.com/share.php?url=${enc(url)}&title=${enc(title)}`;
    case 'weibo':
      return `https://service.weibo.com/share/share.php?url=${enc(url)}&title=${enc(text)}`;
    case 'line':
      // LINE's documented "send a text message" scheme; line:// is deprecated (developers.line.biz).
      return `https://line.me/R/share?text=${enc(`${text} ${url}`)}`;
    case 'email':
      // RFC 6068: percent-encoded UTF-8, spaces as %20, line breaks as %0D%0A.
      return `mailto:?subject=${enc(subject)}&body=${enc(`${text}\r\n\r\n${url}`)}`;
  }
}
