import { intlLocale } from '../i18n/languages.js';
import { recipientOf } from '../deliveries/target-types.js';
import { countryName } from '../countries/countries.js';
import type { MailLinks } from '../mail/mail-links.js';
import type { MailPlan, MessageKinds } from '../mail/message-kinds.js';
import type { OutboxRepository } from '../mail/outbox-repository.js';
import { openRecipient } from '../mail/sealed-recipient.js';
import { textIn } from '../petitions/petition-text.js';
import type { Petition } from '../petitions/petition-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import { deliveryMailingId, type DeliveryMailing } from './delivery-mailing.js';
import type { UnsubscribeTokens } from './unsubscribe-token.js';

interface Deps {
  outbox: Pick<OutboxRepository, 'findMailing' | 'optedOutOfUpdates'>;
  protector: DataProtector;
  petitions: { findById(id: string): Promise<Petition | null> };
  unsubscribeTokens: UnsubscribeTokens;
  links: MailLinks;
}

/** Sealed recipient (mail/sealed-recipient.ts): sending a mailing then reads no signature back. An unsubscribe made meanwhile still counts. */
export interface DeliveryUpdatePayload {
  petitionId: string;
  signatureId: string;
  targetId: string;
  lang: string;
  recipient: string;
}

export const DELIVERY_UPDATE = 'delivery-update';

const formatDate = (date: Date, lang: string) => new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeZone: 'UTC' }).format(date);

/**
 * The delivery update email, a bulk kind sent once per delivery and signer (job ids say which: delivery-mailing.ts).
 * Planning one never reads the signatures collection, so a mailing costs no lookup per email
 * (docs/embedded-database.md#access-paths).
 */
export function registerDeliveryUpdateMail(kinds: MessageKinds, { outbox, protector, petitions, unsubscribeTokens, links }: Deps): void {
  const { link } = links;
  // Short-lived: a withdrawn or corrected delivery must reach the emails not yet sent.
  const mailings = createTtlCache<DeliveryMailing | null>(5000);
  const petitionById = createTtlCache<Petition | null>(5000);
  const petition = (id: string) => petitionById.get(id, () => petitions.findById(id));

  async function plan({ payload }: { payload: DeliveryUpdatePayload }): Promise<MailPlan | null> {
    const { petitionId, signatureId, targetId, lang } = payload;
    const [mailing, found, optedOut] = await Promise.all([
      mailings.get(targetId, async () => (await outbox.findMailing(deliveryMailingId(targetId))) as DeliveryMailing | null),
      petition(petitionId),
      // Read for each email, uncached: whoever unsubscribed since the announcement gets nothing.
      outbox.optedOutOfUpdates(signatureId),
    ]);
    if (!mailing || !found || optedOut) return null;
    // A signature invalidated after the announcement may still get this email. Acceptable: it only
    // reports a public delivery, and checking would take the per-email signature lookup avoided here.
    const { firstName, email } = openRecipient(protector, signatureId, payload.recipient);

    const unsubscribeUrl = link(lang, `/unsubscribe/${unsubscribeTokens.issue(signatureId)}`);
    const recipient = recipientOf(mailing);
    const vars = {
      firstName,
      title: textIn(found, lang).title,
      petitionUrl: link(lang, `/petitions/${found.slug}`),
      bodyKey: recipient ? 'mail.deliveryUpdate.body' : 'mail.deliveryUpdate.bodyNoRecipient',
      recipient,
      place: mailing.place,
      city: mailing.city,
      country: countryName(mailing.country, lang),
      date: formatDate(mailing.deliveredAt, lang),
      total: new Intl.NumberFormat(intlLocale(lang)).format(mailing.total),
      receiptUrl: links.receiptUrl(lang, signatureId),
      unsubscribeUrl,
    };
    // RFC 8058 one-click: mail providers show their own unsubscribe button and POST to the link.
    const headers = { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    return { template: 'delivery-update', to: email, vars, headers };
  }

  kinds.register(DELIVERY_UPDATE, { lane: 'bulk', oncePerId: true, plan });
}
