import type { TargetChanges } from './target-repository.js';

/** A demo target; `key` makes its id fixed, so seeding twice adds nothing. */
export type NewDemoTarget = TargetChanges & { key: string };

const HUMAN_RIGHTS_DAY = new Date('2026-12-10T00:00:00Z');
const NOTE = 'Demo target from the model campaign. Check the address and the recipient before a real handover.';

const embassy = (key: string, city: string, country: string, language: TargetChanges['language'], recipientTitle: string, address: string, plannedAt = HUMAN_RIGHTS_DAY): NewDemoTarget => ({
  key,
  name: `Embassy of the People’s Republic of China, ${city}`,
  recipientName: '',
  recipientTitle,
  city,
  country,
  address,
  language,
  plannedAt,
  notes: NOTE,
});

/**
 * The ten handovers of the model campaign: nine embassy doors and an online handover in Jakarta.
 * Titles are in the cover letter's language; Portuguese is not a letter language, so Lisbon gets English.
 */
export const DEMO_TARGETS: readonly NewDemoTarget[] = [
  embassy('london', 'London', 'GB', 'en', 'Ambassador of the People’s Republic of China to the United Kingdom', '49–51 Portland Place, London W1B 1JL, United Kingdom'),
  embassy('dakar', 'Dakar', 'SN', 'fr', 'Ambassadeur de la République populaire de Chine au Sénégal', 'Dakar, Sénégal'),
  embassy('helsinki', 'Helsinki', 'FI', 'en', 'Ambassador of the People’s Republic of China to Finland', 'Vanha Kelkkamäki 11, 00570 Helsinki, Finland'),
  embassy('lima', 'Lima', 'PE', 'es', 'Embajador de la República Popular China en el Perú', 'Jirón José Granda 150, San Isidro, Lima, Perú'),
  embassy('lisbon', 'Lisbon', 'PT', 'en', 'Ambassador of the People’s Republic of China to Portugal', 'Rua de São Caetano 2, 1200-829 Lisboa, Portugal'),
  embassy('madrid', 'Madrid', 'ES', 'es', 'Embajador de la República Popular China en España', 'Calle de Arturo Soria 111, 28043 Madrid, España'),
  embassy('paris', 'Paris', 'FR', 'fr', 'Ambassadeur de la République populaire de Chine en France', '11 avenue George V, 75008 Paris, France'),
  embassy('the-hague', 'The Hague', 'NL', 'en', 'Ambassador of the People’s Republic of China to the Kingdom of the Netherlands', 'Willem Lodewijklaan 10, 2517 JT Den Haag, Netherlands'),
  embassy('washington', 'Washington DC', 'US', 'en', 'Ambassador of the People’s Republic of China to the United States of America', '3505 International Place NW, Washington, DC 20008, United States'),
  {
    ...embassy('jakarta', 'Jakarta', 'ID', 'en', 'Ambassador of the People’s Republic of China to Indonesia', 'Online handover (video call with the embassy in Jakarta)', new Date('2026-12-11T00:00:00Z')),
    name: 'Embassy of the People’s Republic of China, Jakarta (online handover)',
  },
];
