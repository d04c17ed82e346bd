import type { Language } from '../i18n/languages.js';
import type { Verification } from '../petitions/petition-types.js';
import type { ShareFacts } from './share-seal.js';

export type SignatureStatus = 'pending' | 'confirmed' | 'invalidated';
/** Signed on the site, or collected on paper and imported by an organiser. */
export type SignatureSource = 'online' | 'paper';

/** What a signer told us, after normalisation. Only ever stored encrypted. */
export interface SignerDetails {
  firstName: string;
  lastName: string;
  email: string;
  postcode: string;
  comment: string;
}

export interface SignatureInput extends SignerDetails {
  canonicalEmail: string;
  emailDomain: string;
  country: string;
  updates: boolean;
  hideName: boolean;
  ref: string | null;
  referrer: string | null;
  /** The personal share code of the link the signer came through; stored sealed only (share-seal.ts). */
  via: string | null;
}

export interface Signature {
  id: string;
  petitionId: string;
  emailHash: string;
  domainHash: string | null;
  ipHash: string | null;
  country: string;
  status: SignatureStatus;
  /** For an invalidated signature, the status a restore returns it to. */
  invalidatedFrom: 'pending' | 'confirmed' | null;
  source: SignatureSource;
  verification: Verification;
  consent: { updates: boolean; hideName: boolean };
  ref: string | null;
  /** The referring site's host name, when the signer came from another site. */
  referrer: string | null;
  createdAt: Date;
  confirmedAt: Date | null;
  /** Paper signatures: when and where they were collected. */
  collectedAt: Date | null;
  collectedWhere: string | null;
  /** The language the signer signed in (or the paper form's); null for signatures stored before languages were. */
  language: Language | null;
  details: SignerDetails;
  /** When a retention purge deleted the details (signature-purge.ts): they are empty from then on. */
  purgedAt: Date | null;
  /** Their own personal share code (null until first shown) and the one they came through: opened from sealed data. */
  share: ShareFacts;
}
