import { intlLocale } from '../i18n/languages.js';
import type { RetentionRule } from './petition-types.js';

/** One sentence in `lang` saying how long a petition's signers' personal data is kept: its page and its privacy notice say the same. */
export function retentionSentence(rule: RetentionRule, lang: string, t: (key: string, vars?: Record<string, unknown>) => string): string {
  return t(`retention.page.${rule.after}`, { count: rule.days, formatted: new Intl.NumberFormat(intlLocale(lang)).format(rule.days) });
}
