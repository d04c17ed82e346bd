import type { Config } from '../config/config.js';
import type { DeliveredSection } from '../deliveries/delivery-public-routes.js';
import { direction } from '../i18n/languages.js';
import type { PetitionService } from '../petitions/petition-service.js';
import { textIn } from '../petitions/petition-text.js';
import { retentionSentence } from '../petitions/retention-text.js';
import { unconfirmedKeptDays } from '../signatures/index.js';

type Translate = (key: string, vars?: Record<string, unknown>) => string;

export type PrivacySettings = Pick<Config, 'ORGANISATION_NAME' | 'PRIVACY_CONTACT' | 'PRIVACY_ADDRESS' | 'PRIVACY_AUTHORITY_URL' | 'CONFIRM_TOKEN_TTL_HOURS' | 'PURGE_GRACE_DAYS'>;

interface Deps {
  config: PrivacySettings;
  petitions: Pick<PetitionService, 'findVisible' | 'listOpen'>;
  /** The handovers recorded so far: the same read as the petition page's "Delivered" section. */
  delivered: DeliveredSection;
}

/** The privacy contact as a link: a mailto: shows its address, an https: URL itself. Validated at boot (config.ts). */
export function contactLink(contact: string | undefined): { href: string; label: string } | null {
  if (!contact) return null;
  const url = new URL(contact);
  return { href: contact, label: url.protocol === 'mailto:' ? decodeURIComponent(url.pathname) : contact };
}

// Text in another language than the page's, inside the page's sentence, is isolated (FSI … PDI) so neither reorders the other.
const isolated = (text: string, foreign: boolean) => (foreign ? `\u2068${text}\u2069` : text);

/**
 * The privacy notices, built from the settings (who the controller is and how to reach them) and, for a petition,
 * from the petition itself: its addressee, its deliveries and its retention rule. What is said about the data is
 * fixed text in the catalogue (privacy.json), true of the code as it is.
 */
export function createPrivacyNotice({ config, petitions, delivered }: Deps) {
  const controller = {
    organisation: config.ORGANISATION_NAME,
    contact: contactLink(config.PRIVACY_CONTACT),
    address: config.PRIVACY_ADDRESS ?? null,
    authorityUrl: config.PRIVACY_AUTHORITY_URL ?? null,
    unconfirmedDays: unconfirmedKeptDays({ tokenTtlHours: config.CONFIRM_TOKEN_TTL_HOURS, graceDays: config.PURGE_GRACE_DAYS }),
  };

  return {
    /** The site's notice, with a link to each open petition's own. */
    async site(lang: string) {
      const open = await petitions.listOpen(lang);
      return { ...controller, petitions: open.map((p) => ({ slug: p.slug, title: p.title, lang: p.language === lang ? null : p.language, dir: direction(p.language) })) };
    },

    /** A petition's notice; a 404 for an unknown or draft petition, as its page. */
    async petition(slug: string, lang: string, t: Translate) {
      const petition = await petitions.findVisible(slug);
      const text = textIn(petition, lang);
      const foreign = text.language !== lang;
      return {
        ...controller,
        petition: { slug: petition.slug, title: text.title, lang: foreign ? text.language : null, dir: direction(text.language) },
        intro: t('privacy.intro.petition', { title: isolated(text.title, foreign) }),
        addressee: t('privacy.shared.addresseeNamed', { target: isolated(text.target, foreign) }),
        retention: retentionSentence(petition.retention, lang, t),
        deliveries: await delivered(slug, lang),
      };
    },
  };
}

export type PrivacyNotice = ReturnType<typeof createPrivacyNotice>;
