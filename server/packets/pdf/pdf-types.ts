import type { LetterLanguage } from '../../deliveries/target-types.js';

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
  petition: { title: string; summary: string; body: string; target: string };
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
  title: string;
  total: number;
  countryCount: number;
  organisation: string;
  date: Date;
  targetName: string;
}
