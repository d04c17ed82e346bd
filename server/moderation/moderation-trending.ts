import type { AuditLog } from '../audit/audit-repository.js';
import type { Petition } from '../petitions/petition-types.js';
import type { SignatureSearchRepository } from '../signatures/index.js';

interface Deps {
  signatures: Pick<SignatureSearchRepository, 'topHashes' | 'domainsOf'>;
  audit: Pick<AuditLog, 'record'>;
  clock: () => Date;
  windowMinutes: number;
  threshold: number;
}

export interface Trending {
  windowMinutes: number;
  threshold: number;
  since: Date;
  /** `domain` is null only if no sample could be read back (an email without a domain cannot be stored). */
  domains: { domainHash: string; domain: string | null; count: number; flagged: boolean }[];
  /** IP addresses are only ever stored as keyed hashes, and shown as such. */
  ips: { ipHash: string; count: number; flagged: boolean }[];
}

const TOP = 20;

/** The email domains and client addresses that signed a petition most in the last window, flagged above the threshold. */
export function createTrending({ signatures, audit, clock, windowMinutes, threshold }: Deps) {
  const flag = <T extends { count: number }>(row: T) => ({ ...row, flagged: row.count > threshold });

  // A domain of a handful of signers (a family's own) can name them: each look is audited, like a search.
  return async function trending(petition: Petition, { actor }: { actor: string }): Promise<Trending> {
    const since = new Date(clock().getTime() - windowMinutes * 60_000);
    const [domains, ips] = await Promise.all([
      signatures.topHashes(petition.id, 'domainHash', since, TOP),
      signatures.topHashes(petition.id, 'ipHash', since, TOP),
    ]);
    const names = await signatures.domainsOf(petition.id, domains.map((d) => d.hash), since);
    await audit.record({ actor, action: 'moderation.trending', petition: petition.slug, details: { windowMinutes, domains: domains.length, ipHashes: ips.length }, rows: domains.length + ips.length });
    return {
      windowMinutes,
      threshold,
      since,
      domains: domains.map((d) => flag({ domainHash: d.hash, domain: names.get(d.hash) ?? null, count: d.count })),
      ips: ips.map((ip) => flag({ ipHash: ip.hash, count: ip.count })),
    };
  };
}

export type TrendingReport = ReturnType<typeof createTrending>;
