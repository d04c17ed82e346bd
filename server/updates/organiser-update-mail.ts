import type { MailLinks } from '../mail/mail-links.js';
import type { MailPlan, MessageKinds } from '../mail/message-kinds.js';
import type { OutboxRepository } from '../mail/outbox-repository.js';
import { openRecipient } from '../mail/sealed-recipient.js';
import { renderMarkdown } from '../petitions/markdown.js';
import type { Petition } from '../petitions/petition-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { OrganiserUpdate } from './organiser-update-repository.js';
import type { UnsubscribeTokens } from './unsubscribe-token.js';

interface Deps {
  outbox: Pick<OutboxRepository, 'optedOutOfUpdates'>;
  updates: { find(id: string): Promise<OrganiserUpdate | null> };
  petitions: { findById(id: string): Promise<Petition | null> };
  protector: DataProtector;
  unsubscribeTokens: UnsubscribeTokens;
  links: MailLinks;
}

/**
 * A signer's copy carries `signatureId`; the organiser's test copy has none (and so no unsubscribe link).
 * The recipient is sealed under `sealedAs`: the signature id, or `test:<update id>`.
 */
export interface OrganiserUpdatePayload {
  updateId: string;
  /** Not read when sending; lets a purge find a petition's queued jobs. */
  petitionId: string;
  signatureId?: string;
  sealedAs: string;
  lang: string;
  recipient: string;
}

export const ORGANISER_UPDATE = 'organiser-update';
/** The mailing an update's emails to signers count towards (its progress bar); test sends count for none. */
export const updateMailing = (updateId: string) => `update:${updateId}`;

/** The organisers' update email: a bulk kind sent once per update and signer (job ids: organiser-updates.ts). */
export function registerOrganiserUpdateMail(kinds: MessageKinds, { outbox, updates, petitions, protector, unsubscribeTokens, links }: Deps): void {
  const updateById = createTtlCache<OrganiserUpdate | null>(5000);
  const petitionById = createTtlCache<Petition | null>(5000);

  async function plan({ payload }: { payload: OrganiserUpdatePayload }): Promise<MailPlan | null> {
    const { updateId, signatureId, lang } = payload;
    const [update, optedOut] = await Promise.all([
      updateById.get(updateId, () => updates.find(updateId)),
      // Read for each email, uncached: whoever unsubscribed since the update was queued gets nothing.
      signatureId ? outbox.optedOutOfUpdates(signatureId) : false,
    ]);
    if (!update || optedOut) return null;
    const petition = await petitionById.get(update.petitionId, () => petitions.findById(update.petitionId));
    if (!petition) return null;
    const { firstName, email } = openRecipient(protector, payload.sealedAs, payload.recipient);
    const vars: Record<string, unknown> = {
      firstName,
      title: update.title,
      html: renderMarkdown(update.body),
      text: update.body,
      // The update is written in the petition's main language, which is the language of `petition.title`.
      petitionTitle: petition.title,
      petitionUrl: links.link(lang, `/petitions/${petition.slug}`),
      test: !signatureId,
    };
    if (!signatureId) return { template: 'organiser-update', to: email, vars };
    const unsubscribeUrl = links.link(lang, `/unsubscribe/${unsubscribeTokens.issue(signatureId)}`);
    // RFC 8058 one-click: mail providers show their own unsubscribe button and POST to the link.
    const headers = { 'List-Unsubscribe': `<${unsubscribeUrl}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
    return { template: 'organiser-update', to: email, vars: { ...vars, unsubscribeUrl }, headers };
  }

  kinds.register(ORGANISER_UPDATE, { lane: 'bulk', oncePerId: true, plan, mailingOf: (p) => (p.signatureId ? updateMailing(p.updateId) : null) });
}
