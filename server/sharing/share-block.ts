import { DEFAULT_LANGUAGE, intlLocale } from '../i18n/languages.js';
import { qrSvg } from './qr-code.js';
import { NETWORKS, networkHref, sharedUrl, type Channel, type ShareText } from './share-links.js';

type Translate = (key: string, vars?: Record<string, unknown>) => string;

export interface ShareBlockInput {
  /** config.BASE_URL: shared links are absolute. */
  baseUrl: string;
  /** The page's language prefix ('' or '/es'): the QR files and the poster are in the page's language. */
  prefix: string;
  /** The petition's slug and its title in the page's language (`textIn`). */
  petition: { slug: string; title: string };
  t: Translate;
  /** After signing the text says "I signed"; before, "Please sign". */
  signed?: boolean;
  /** On a counted signer's own pages: their personal share code, carried by every link, and how many signed through it. */
  personal?: { code: string; count: number } | null;
  /** The page's language, for the count's digits. */
  lang?: string;
}

/** What `views/partials/share.hbs` shows: a plain link per network, copy, the native share sheet, the QR code and the poster. */
export async function shareBlock({ baseUrl, prefix, petition, t, signed = false, personal = null, lang = DEFAULT_LANGUAGE }: ShareBlockInput) {
  const { slug, title } = petition;
  const via = personal?.code ?? null;
  const url = (channel: Channel) => sharedUrl(baseUrl, slug, channel, via);
  const text: ShareText = { title, text: t(signed ? 'sharing.textSigned' : 'sharing.text', { title }), subject: t('sharing.emailSubject', { title }) };
  const own = `${prefix}/petitions/${encodeURIComponent(slug)}`;
  return {
    links: NETWORKS.map((network) => ({ channel: network, name: t(`sharing.channel.${network}`), href: networkHref(network, url(network), text) })),
    copyUrl: url('copy'),
    native: { url: url('native'), title, text: text.text },
    // Zero is a normal state: the sentence says so in every language's own plural form.
    personal: personal && { count: t('shareCodes.count', { count: personal.count, formatted: new Intl.NumberFormat(intlLocale(lang)).format(personal.count) }) },
    qr: { svg: await qrSvg(url('qr')), svgHref: `${own}/qr.svg`, pngHref: `${own}/qr.png`, fileName: `${slug}-qr` },
    posterHref: `${own}/poster.pdf`,
  };
}

export type ShareBlock = Awaited<ReturnType<typeof shareBlock>>;
