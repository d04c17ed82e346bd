import { intlLocale } from '../i18n/languages.js';
import type { Publication } from './published-counts.js';

type Translate = (key: string, vars?: Record<string, unknown>) => string;

/** "hour", "2 hours", "15 minutes": how often a petition's counts are published. */
export const publicationPeriod = ({ everyMinutes }: Publication, t: Translate): string =>
  everyMinutes % 60 === 0 ? t('counts.everyHours', { count: everyMinutes / 60 }) : t('counts.everyMinutes', { count: everyMinutes });

/** "Counts of this petition are updated every hour; these are as of 14:00 UTC." */
export function publicationText(publication: Publication, t: Translate, lang: string): string {
  const every = publicationPeriod(publication, t);
  if (!publication.at) return t('counts.publishedNotYet', { every });
  const at = new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'medium', timeStyle: 'short', hourCycle: 'h23', timeZone: 'UTC' }).format(publication.at);
  return t('counts.published', { every, at });
}
