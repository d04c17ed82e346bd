import { intlLocale } from '../i18n/languages.js';
import type { MailLinks } from '../mail/mail-links.js';
import type { MailPlan, MessageKinds } from '../mail/message-kinds.js';
import { openRecipient, sealRecipient } from '../mail/sealed-recipient.js';
import { textIn } from '../petitions/petition-text.js';
import type { Petition } from '../petitions/petition-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import { newShareCode } from '../sharing/index.js';
import type { ConfirmTokenRepository, TokenTarget } from './confirm-token-repository.js';
import type { NoticeRepository } from './notice-repository.js';
import type { SignatureRepository } from './signature-repository.js';
import { sealVia } from './share-seal.js';

/** Repeat submissions may trigger at most this many emails per signature. */
export const MAX_NOTICES = 3;

/** `ref`, `referrer` and `via` (sealed) as submitted: a first submission's confirmation token carries them (absent in jobs queued before they were added). */
export interface SignatureMailPayload {
  petitionId: string;
  signatureId: string;
  country: string;
  ref?: string | null;
  referrer?: string | null;
  via?: string | null;
  firstSubmission: boolean;
  lang: string;
  recipient: string;
}

/** After a confirmation: queued with the token's sealed recipient and language; planning it reads only the signature's share code, by `_id`. */
export interface SignatureCountedPayload {
  petitionId: string;
  signatureId: string;
  lang: string;
  recipient: string;
}

type SigningPlan = MailPlan & { lang: string; target?: TokenTarget };

interface Deps {
  petitions: { findById(id: string): Promise<Petition | null> };
  signatures: Pick<SignatureRepository, 'findById' | 'shareCodeOf'>;
  tokens: Pick<ConfirmTokenRepository, 'issueMany'>;
  notices: Pick<NoticeRepository, 'claimSlot'>;
  /** The count the petition page shows. */
  counted: (petition: Petition) => Promise<number>;
  protector: DataProtector;
  links: MailLinks;
  tokenTtlHours: number;
  clock: () => Date;
}

/**
 * The signing emails: `signature-mail` (confirm, or "already signed" for a repeat; urgent, since the signer waits
 * at their inbox) and `signature-counted` ("you're confirmed", with receipt, personal share link and what comes next).
 */
export function registerSignatureMail(kinds: MessageKinds, deps: Deps): void {
  const { signatures, notices, protector, links, clock } = deps;
  const petitionById = createTtlCache<Petition | null>(5000);
  const petition = (id: string) => petitionById.get(id, () => deps.petitions.findById(id));

  /** What every signing email says of its petition, in the email's language. */
  const petitionVars = (found: Petition, lang: string): Record<string, unknown> => ({ title: textIn(found, lang).title, petitionUrl: links.link(lang, `/petitions/${found.slug}`) });

  /** "You're confirmed": the receipt, the signer's own share link (its code given on first asking, like the thanks page) and the goal. */
  async function countedVars(found: Petition, lang: string, signatureId: string): Promise<Record<string, unknown> | null> {
    const [code, count] = await Promise.all([signatures.shareCodeOf(signatureId, newShareCode), deps.counted(found)]);
    // Withdrawn (or purged) between confirming and this email: nothing is counted any more, so nothing is said.
    if (code === null && !(await signatures.findById(signatureId))) return null;
    const number = new Intl.NumberFormat(intlLocale(lang));
    return {
      ...petitionVars(found, lang),
      receiptUrl: links.receiptUrl(lang, signatureId),
      // In the email's language like every link in it (unlike the share buttons' links): the signer shares it first with readers of their language.
      shareUrl: code ? links.link(lang, `/petitions/${found.slug}?via=${code}`) : null,
      count: number.format(count),
      goal: number.format(found.goal),
      target: textIn(found, lang).target,
    };
  }

  /**
   * A job's language is the page's the person signed on (for a repeat, the page they are on now): the
   * signature stores it, so that later emails (a reminder, "counted", updates) are in it too.
   */
  async function planSignatureMail({ payload }: { payload: SignatureMailPayload }): Promise<SigningPlan | null> {
    const { petitionId, signatureId, country, ref = null, referrer = null, via = null, firstSubmission, recipient, lang } = payload;
    const found = await petition(petitionId);
    if (!found) return null;

    if (firstSubmission) {
      // A first submission's state is known without reading the signature back.
      const { firstName, email } = openRecipient(protector, signatureId, recipient);
      if (found.verification === 'none') {
        const vars = await countedVars(found, lang, signatureId);
        return vars && { lang, template: 'signature-counted', to: email, vars: { ...vars, firstName } };
      }
      return { lang, template: 'confirm-signature', to: email, vars: { ...petitionVars(found, lang), firstName }, target: { signatureId, petitionId, country, ref, referrer, via, recipient, lang } };
    }
    // A repeat: tell the address on file, at most MAX_NOTICES times per signature.
    const signature = await signatures.findById(signatureId);
    if (!signature || !(await notices.claimSlot(signature.id, MAX_NOTICES, clock()))) return null;
    const template = signature.status === 'pending' ? 'confirm-signature' : 'already-signed';
    const { firstName, email } = signature.details;
    // The signature's own ref, source and language, not the repeat's: only what its owner signed with is counted.
    const target = {
      signatureId,
      petitionId,
      country: signature.country,
      ref: signature.ref,
      referrer: signature.referrer,
      via: sealVia(protector, signatureId, signature.share.via),
      recipient: sealRecipient(protector, signatureId, { firstName, email }),
      lang: signature.language ?? lang,
    };
    const vars: Record<string, unknown> = { ...petitionVars(found, lang), firstName };
    // A receipt only for a counted signature; this email goes to the address on file, so the link reaches its owner.
    if (signature.status === 'confirmed') vars.receiptUrl = links.receiptUrl(lang, signatureId);
    return { lang, template, to: email, vars, target };
  }

  /** The batch's confirmation links, issued in one write. */
  async function issueTokens(plans: SigningPlan[]) {
    const needing = plans.filter((p) => p.template === 'confirm-signature');
    const expiresAt = new Date(clock().getTime() + deps.tokenTtlHours * 3600_000);
    const issued = await deps.tokens.issueMany(needing.map((p) => p.target!), expiresAt);
    needing.forEach((p, i) => {
      p.vars.confirmUrl = links.link(p.lang, `/confirm/${issued[i]}`);
      p.vars.days = Math.round(deps.tokenTtlHours / 24);
    });
  }

  kinds.register('signature-mail', { lane: 'urgent', plan: planSignatureMail, prepare: issueTokens });
  kinds.register('signature-counted', {
    lane: 'bulk',
    async plan({ payload }: { payload: SignatureCountedPayload }): Promise<MailPlan | null> {
      const { petitionId, signatureId, recipient, lang } = payload;
      const found = await petition(petitionId);
      if (!found) return null;
      const { firstName, email } = openRecipient(protector, signatureId, recipient);
      const vars = await countedVars(found, lang, signatureId);
      return vars && { template: 'signature-counted', to: email, vars: { ...vars, firstName } };
    },
  });
}
