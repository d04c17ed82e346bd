import { domainToASCII } from 'node:url';

/** Provider rules as data: where two spellings reach one mailbox, they count as one signer. */
export const EMAIL_RULES = {
  domainAliases: { 'googlemail.com': 'gmail.com' } as Readonly<Record<string, string>>,
  dotInsensitiveDomains: new Set(['gmail.com']),
  plusTagSeparator: '+',
};

export type EmailResult =
  | { ok: true; address: string; canonical: string; domain: string }
  | { ok: false; reason: 'invalid' | 'too_long' };

const LOCAL_PART = /^[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+(\.[\p{L}\p{N}!#$%&'*+/=?^_`{|}~-]+)*$/u;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const TLD = /^([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * The one normaliser for email addresses. `address` is what we send mail to; `canonical` is
 * the identity used for de-duplication (and only ever stored as a keyed hash).
 */
export function normaliseEmail(input: string): EmailResult {
  const trimmed = input.trim().toLowerCase();
  if (trimmed.length > 254) return { ok: false, reason: 'too_long' };
  const at = trimmed.lastIndexOf('@');
  if (at <= 0 || at === trimmed.length - 1) return { ok: false, reason: 'invalid' };
  const local = trimmed.slice(0, at);
  const domain = domainToASCII(trimmed.slice(at + 1));
  if (local.length > 64 || !LOCAL_PART.test(local)) return { ok: false, reason: 'invalid' };
  const labels = domain.split('.');
  if (!domain || labels.length < 2 || !labels.every((l) => LABEL.test(l)) || !TLD.test(labels.at(-1) ?? '')) {
    return { ok: false, reason: 'invalid' };
  }
  const address = `${local}@${domain}`;
  if (address.length > 254) return { ok: false, reason: 'too_long' };

  const canonicalDomain = EMAIL_RULES.domainAliases[domain] ?? domain;
  let canonicalLocal = local.split(EMAIL_RULES.plusTagSeparator)[0] || local;
  if (EMAIL_RULES.dotInsensitiveDomains.has(canonicalDomain)) canonicalLocal = canonicalLocal.replaceAll('.', '');
  return { ok: true, address, canonical: `${canonicalLocal}@${canonicalDomain}`, domain: canonicalDomain };
}
