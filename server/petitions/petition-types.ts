import type { Language } from '../i18n/languages.js';

export type Verification = 'email' | 'none';
export type PetitionStatus = 'draft' | 'open' | 'closed';

/** What an organiser writes per language: the title, the summary (the demand, in the letter), the body and whom it is addressed to. */
export interface PetitionText {
  title: string;
  summary: string;
  body: string;
  target: string;
}

/** The one image an organiser may add, cleaned like a delivery photo and stored sealed (files/file-repository.ts). */
export interface PetitionImage {
  fileId: string;
  contentType: string;
  bytes: number;
  width: number;
  height: number;
  /** Written by the organiser in the petition's main language. */
  alt: string;
}

/**
 * How long the signers' personal data (names, emails, postcodes, comments) is kept: `days` after the petition
 * closes, or after its last delivery. Then it is purged (signatures/signature-purge.ts); the counts stay.
 */
export interface RetentionRule {
  after: 'closed' | 'delivered';
  days: number;
}

/** The rule of a petition stored before rules existed, and the form's starting value. */
export const DEFAULT_RETENTION: RetentionRule = { after: 'closed', days: 180 };

export interface Petition extends PetitionText {
  id: string;
  slug: string;
  /** The main language: the one `title`, `summary`, `body` and `target` are written in, and the fallback for the others. */
  language: Language;
  /** The same texts in other languages, complete ones only. Never holds the main language. */
  translations: Partial<Record<Language, PetitionText>>;
  goal: number;
  status: PetitionStatus;
  verification: Verification;
  /** Signatures are accepted from this moment (null: as soon as it is open). */
  opensAt: Date | null;
  /** and until this moment (null: until an organiser closes it). */
  closesAt: Date | null;
  image: PetitionImage | null;
  /** The sites whose pages may frame the sign widget (bare origins such as `https://partner.org`); empty: any site. */
  embedOrigins: string[];
  retention: RetentionRule;
  createdAt: Date;
  updatedAt: Date;
}

export type NewPetition = Omit<Petition, 'id' | 'createdAt' | 'updatedAt' | 'opensAt' | 'closesAt' | 'language' | 'translations' | 'image' | 'embedOrigins' | 'retention'> &
  Partial<Pick<Petition, 'opensAt' | 'closesAt' | 'language' | 'translations' | 'image' | 'embedOrigins' | 'retention'>>;
export type PetitionChanges = Partial<Omit<Petition, 'id' | 'createdAt' | 'updatedAt'>>;
