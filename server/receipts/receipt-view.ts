import { headingIn } from '../petitions/petition-text.js';
import { intlLocale } from '../i18n/languages.js';
import { countryName } from '../countries/countries.js';
import type { SignerReceipt, WithdrawnReceipt } from './receipt-service.js';
import type { PacketDelivery } from './receipt-types.js';
import type { VerifyResult } from './receipt-verifier.js';

const STATUS = { confirmed: 'counted', pending: 'pending', invalidated: 'notCounted' } as const;

const dateIn = (lang: string) => (at: Date) => new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeZone: 'UTC' }).format(at);
// A cutoff is a moment: with its time and zone, a signer can tell whether they signed before it.
const momentIn = (lang: string) => (at: Date) => new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeStyle: 'long', timeZone: 'UTC' }).format(at);

const deliveryView = (lang: string) => (d: PacketDelivery) => ({
  city: d.city,
  country: countryName(d.country, lang),
  to: [d.recipient, d.place].filter(Boolean).join(', '),
  on: dateIn(lang)(d.deliveredAt),
});

/** What receipt.hbs shows; the token appears only in the signer's own download links. */
export function receiptView(receipt: SignerReceipt, token: string, lang: string) {
  const date = dateIn(lang);
  return {
    petition: headingIn(receipt.petition, lang),
    country: countryName(receipt.country, lang),
    status: STATUS[receipt.status],
    name: receipt.name,
    hideName: receipt.consent.hideName,
    updates: receipt.consent.updates,
    purgedOn: receipt.purgedAt ? date(receipt.purgedAt) : null,
    packets: receipt.packets.map((p) => ({
      id: p.packet.id,
      generatedOn: date(p.packet.generatedAt),
      cutoff: momentIn(lang)(p.packet.cutoff),
      included: p.included,
      entryName: p.record.name,
      download: `/receipts/${encodeURIComponent(token)}/packets/${encodeURIComponent(p.packet.id)}.json`,
      deliveries: p.deliveries.map(deliveryView(lang)),
    })),
  };
}

/** A withdrawn signature's receipt: when, and the packets handed over before, which stay as delivered. */
export const withdrawnView = (receipt: WithdrawnReceipt, lang: string) => ({
  petition: headingIn(receipt.petition, lang),
  on: dateIn(lang)(receipt.at),
  delivered: receipt.delivered.map((p) => ({ id: p.id, deliveries: p.deliveries.map(deliveryView(lang)) })),
});

export const verifyResultView = (result: VerifyResult, lang: string) => ({
  outcome: result.outcome,
  valid: result.outcome === 'valid',
  packetId: result.packetId,
  deliveries: result.deliveries.map(deliveryView(lang)),
});

/** The JSON API's answer: the same facts, dates as ISO strings. */
export const verifyResultJson = (result: VerifyResult) => ({
  outcome: result.outcome,
  packetId: result.packetId,
  deliveries: result.deliveries.map((d) => ({ ...d, deliveredAt: d.deliveredAt.toISOString() })),
});
