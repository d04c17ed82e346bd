import { isLanguage } from '../i18n/languages.js';
import type { DataProtector } from '../shared/data-protector.js';
import type { SignatureForExport } from '../signatures/index.js';
import { countryNames, signedAt, signerComment } from './export-format.js';

/** No names and no addresses: a reader of the comments needs the words, not who wrote them. */
export const COMMENT_COLUMNS = ['signed_at', 'country_code', 'country_name', 'language', 'comment'] as const;

/** One exported comment, in the order of COMMENT_COLUMNS. */
export type CommentRow = [string, string, string, string, string];

/**
 * A stored signature as a comments export row, or null when its signer left no comment. The
 * language is the one they signed in; '' for signatures stored before it was kept. Country names
 * are in `lang`.
 */
export function toCommentRow(protector: DataProtector, lang = 'en'): (doc: SignatureForExport) => CommentRow | null {
  const nameOf = countryNames(lang);
  const signed = signedAt();
  return (doc) => {
    const comment = signerComment(protector.openText(doc.pii, doc._id));
    if (comment.trim() === '') return null;
    return [signed(doc), doc.country, nameOf(doc.country), isLanguage(doc.language) ? doc.language : '', comment];
  };
}
