import { intlLocale } from '../i18n/languages.js';
import type { SignaturePurge } from '../signatures/signature-purge.js';

type Schedule = NonNullable<Awaited<ReturnType<SignaturePurge['schedule']>>>;

// The sentence for a rule that has no date yet, by what it waits for.
const WAITING = {
  closed: { close: 'waitingClosed', delivery: 'waitingClosed' },
  delivered: { close: 'waitingDeliveredOpen', delivery: 'waitingDelivered' },
} as const;

/** What the dashboard says the purge will delete and when, in the reader's language. */
export function retentionLines(s: Schedule, t: (key: string, vars?: Record<string, unknown>) => string, lang: string): { petition: string; unconfirmed: string } {
  const date = s.date && new Intl.DateTimeFormat(intlLocale(lang), { dateStyle: 'long', timeZone: 'UTC' }).format(s.date);
  const days = (count: number) => ({ count, formatted: new Intl.NumberFormat(intlLocale(lang)).format(count) });
  const petition = date
    ? t(s.passed ? 'retention.dashboard.passed' : 'retention.dashboard.due', { date })
    : t(`retention.dashboard.${WAITING[s.rule.after][s.waiting ?? 'close']}`, days(s.rule.days));
  return { petition, unconfirmed: t('retention.dashboard.unconfirmed', days(s.unconfirmedDays)) };
}
