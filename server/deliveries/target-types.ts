import { LANGUAGE_CODES, type Language } from '../i18n/languages.js';

/** A cover letter can be written in any language the site speaks. */
export const LETTER_LANGUAGES = LANGUAGE_CODES;
export type LetterLanguage = Language;

/** What was recorded when activists handed a packet over. */
export interface Delivery {
  deliveredAt: Date;
  /** Who handed it over, as the organiser wrote it (free text, shown to staff only). */
  deliveredBy: string;
  notes: string;
  /** The packet that was handed over; its signatures and Merkle root are what the public sees. */
  packetId: string;
  /** A photo stored in the files bucket, re-encoded without metadata; null when none was uploaded. */
  photo: { fileId: string; contentType: string; bytes: number; public: boolean } | null;
  recordedBy: string;
  recordedAt: Date;
}

/** A door a petition is handed over at: an embassy, a ministry, a UN office, or an online handover. */
export interface DeliveryTarget {
  id: string;
  petitionId: string;
  /** e.g. "Embassy of the People's Republic of China, London" */
  name: string;
  recipientName: string;
  recipientTitle: string;
  city: string;
  /** ISO 3166-1 alpha-2 */
  country: string;
  address: string;
  language: LetterLanguage;
  plannedAt: Date | null;
  notes: string;
  delivery: Delivery | null;
  createdAt: Date;
  updatedAt: Date;
}

/** Who receives the packet, as the public sees it: the recipient's name (when known) and title. */
export const recipientOf = (target: Pick<DeliveryTarget, 'recipientName' | 'recipientTitle'>): string => [target.recipientName, target.recipientTitle].filter(Boolean).join(', ');
