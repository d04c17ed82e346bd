import { localisedPath } from '../i18n/languages.js';
import type { ReceiptTokens } from '../receipts/receipt-token.js';

/** Absolute links in emails: every link opens the site in the email's language. */
export function createMailLinks(baseUrl: string, receiptTokens: Pick<ReceiptTokens, 'issue'>) {
  const link = (lang: string, path: string) => `${baseUrl}${localisedPath(lang, path)}`;
  return {
    link,
    receiptUrl: (lang: string, signatureId: string) => link(lang, `/receipts/${receiptTokens.issue(signatureId)}`),
  };
}

export type MailLinks = ReturnType<typeof createMailLinks>;
