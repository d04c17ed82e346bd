import type { LetterLanguage } from '../../deliveries/target-types.js';
import type { I18n } from '../../i18n/i18n.js';
import type { LocalisedText } from '../../petitions/petition-text.js';
import type { FontFaces } from './font-faces.js';
import type { PdfFonts } from './fonts.js';

/** What every packet document draws with. `faces`: pass the same to documents made one after the other. */
export interface PdfDeps {
  fonts: PdfFonts;
  i18n: I18n;
  faces?: FontFaces;
}

export interface CountryCount {
  code: string;
  /** Already in the cover-letter language. */
  name: string;
  count: number;
}

export interface PacketPdfInput {
  packetId: string;
  language: LetterLanguage;
  organisation: string;
  date: Date;
  /** In the letter's language when the petition has it, else in its main language (`fallback`). */
  petition: LocalisedText;
  target: { name: string; recipientName: string; recipientTitle: string; address: string; city: string; country: string };
  total: number;
  /** In letter order. */
  countries: CountryCount[];
}

export interface CountryStart extends CountryCount {
  /** Signers of this country shown by country only (hidden names, or name policy 'none'); not passed to addSigners. */
  unnamed: number;
}

export interface PacketPdfWriter {
  startCountry(country: CountryStart): void;
  /** The current country's named signers, in order, in batches; resolves when the consumer has caught up. */
  addSigners(names: string[]): Promise<void>;
  /** Resolves once the output stream has finished. */
  end(): Promise<{ pages: number }>;
}

export interface PosterInput {
  language: LetterLanguage;
  /** The petition's title, and the language it is written in (the poster's, or the petition's main one). */
  title: string;
  titleLanguage: LetterLanguage;
  total: number;
  countryCount: number;
  organisation: string;
  date: Date;
  targetName: string;
}
