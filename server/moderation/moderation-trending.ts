import type { Petition } from '../petitions/petition-types.js';
import type { DataProtector } from '../shared/data-protector.js';
import { normaliseEmail } from '../signatures/email-normaliser.js';
import { piiOf } from '../signatures/signature-repository.js';
import type { SignerDetails } from '../signatures/signature-types.js';
import type { ModerationRepository } from './moderation-repository.js';

interface Deps {
  repo: ModerationRepository;
  protector: DataProtector;
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
export function createTrending({ repo, protector, clock, windowMinutes, threshold }: Deps) {
  const flag = <T extends { count: number }>(row: T) => ({ ...row, flagged: row.count > threshold });

  return async function trending(petition: Petition): Promise<Trending> {
    const since = new Date(clock().getTime() - windowMinutes * 60_000);
    const [domains, ips] = await Promise.all([
      repo.topBy(petition.id, 'domainHash', since, TOP),
      repo.topBy(petition.id, 'ipHash', since, TOP),
    ]);
    const samples = await repo.samplesOf(petition.id, domains.map((d) => d.hash), since);
    const domainOf = (hash: string) => {
      const sample = samples.get(hash);
      const email = sample ? normaliseEmail(protector.open<SignerDetails>(piiOf(sample), sample._id).email) : null;
      return email?.ok ? email.domain : null;
    };
    return {
      windowMinutes,
      threshold,
      since,
      domains: domains.map((d) => flag({ domainHash: d.hash, domain: domainOf(d.hash), count: d.count })),
      ips: ips.map((ip) => flag({ ipHash: ip.hash, count: ip.count })),
    };
  };
}

export type TrendingReport = ReturnType<typeof createTrending>;
