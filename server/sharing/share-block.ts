import { qrSvg } from './qr-code.js';
import { NETWORKS, networkHref, sharedUrl, type ShareText } from './share-links.js';

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
}

/** What `views/partials/share.hbs` shows: a plain link per network, copy, the native share sheet, the QR code and the poster. */
export async function shareBlock({ baseUrl, prefix, petition, t, signed = false }: ShareBlockInput) {
  const { slug, title } = petition;
  const text: ShareText = { title, text: t(signed ? 'sharing.textSigned' : 'sharing.text', { title }), subject: t('sharing.emailSubject', { title }) };
  const own = `${prefix}/petitions/${encodeURIComponent(slug)}`;
  return {
    links: NETWORKS.map((network) => ({ channel: network, name: t(`sharing.channel.${network}`), href: networkHref(network, sharedUrl(baseUrl, slug, network), text) })),
    copyUrl: sharedUrl(baseUrl, slug, 'copy'),
    native: { url: sharedUrl(baseUrl, slug, 'native'), title, text: text.text },
    qr: { svg: await qrSvg(sharedUrl(baseUrl, slug, 'qr')), svgHref: `${own}/qr.svg`, pngHref: `${own}/qr.png`, fileName: `${slug}-qr` },
    posterHref: `${own}/poster.pdf`,
  };
}

export type ShareBlock = Awaited<ReturnType<typeof shareBlock>>;
