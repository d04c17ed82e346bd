import type { Logger } from 'pino';
import type { TallyService } from '../tallies/tally-service.js';
import { counter, type TallyChanges } from '../tallies/tally-service.js';
import { createJournaledSteps } from './journaled-steps.js';
import type { SignatureJournalRepository } from './signature-journal-repository.js';
import type { SignatureRepository } from './signature-repository.js';
import { countingChanges } from './signature-service.js';
import type { Signature } from './signature-types.js';
import type { SignatureWithdrawalRepository } from './signature-withdrawal-repository.js';
import type { ViaCounting } from './via-counting.js';

interface Deps {
  signatures: Pick<SignatureRepository, 'findById'>;
  withdrawals: SignatureWithdrawalRepository;
  journal: SignatureJournalRepository;
  tallies: Pick<TallyService, 'change' | 'release'>;
  via: Pick<ViaCounting, 'seal' | 'credit' | 'release'>;
  clock: () => Date;
  logger?: Pick<Logger, 'warn'>;
}

/**
 * Every counter the signature is in now, each -1: the reverse of what signing, confirming and
 * moderation added. Moderation moves a signature's country and day to `invalidated` but leaves its
 * `ref` and referring site counted (tallies/moderation-tallies.ts), so those go too.
 */
export function withdrawalChanges(s: Pick<Signature, 'status' | 'invalidatedFrom' | 'source' | 'country' | 'ref' | 'referrer' | 'createdAt' | 'confirmedAt' | 'collectedAt'>): TallyChanges {
  if (s.status === 'pending') return { [counter.pending]: -1 };
  if (s.status === 'invalidated') {
    const sources: TallyChanges = {};
    if (s.invalidatedFrom === 'confirmed' && s.source === 'online') {
      if (s.ref) sources[counter.ref(s.ref)] = -1;
      if (s.referrer) sources[counter.source(s.referrer)] = -1;
    }
    return { ...sources, [counter.invalidated]: -1 };
  }
  if (s.source === 'paper') return { [counter.paper(s.country)]: -1, [counter.day(s.collectedAt ?? s.createdAt)]: -1 };
  return countingChanges(s, s.confirmedAt ?? s.createdAt, -1);
}

export type WithdrawOutcome = 'withdrawn' | 'already';

/**
 * A signer takes their signature back: it is deleted with its personal data and every count it was
 * in goes down by one, exactly once. Like signing and confirming it runs under a journal entry
 * (journaled-steps.ts): the entry is written first, then the withdrawal's claim, the erasure and the
 * marked tally write; a crash anywhere leaves the entry for recovery (signature-recovery.ts), and a
 * second request finds the signature gone or the claim taken, and counts nothing.
 */
export function createSignatureWithdrawal({ signatures, withdrawals, journal, tallies, via, clock, logger }: Deps) {
  const journaled = createJournaledSteps({ journal, tallies, via, logger });
  // One withdrawal per signature at a time in this process: the claim settles races with others.
  const queues = new Map<string, Promise<unknown>>();
  function inTurn<T>(key: string, task: () => Promise<T>): Promise<T> {
    const next = (queues.get(key) ?? Promise.resolve()).then(task, task);
    const settled = next.catch(() => undefined);
    queues.set(key, settled);
    void settled.then(() => queues.get(key) === settled && queues.delete(key));
    return next;
  }

  /** `delivered`: the handed-over packets the signature is in, which stay as they are. */
  function withdraw(signatureId: string, delivered: string[]): Promise<WithdrawOutcome> {
    return inTurn(signatureId, async () => {
      const signature = await signatures.findById(signatureId);
      if (!signature) return 'already';
      const at = clock();
      const changes = withdrawalChanges(signature);
      // Only a confirmed signature is counted for the link it came through (moderation took an invalidated one off).
      const share = signature.status === 'confirmed' ? via.seal(signature.id, signature.share.via, -1) : null;
      let outcome: WithdrawOutcome = 'already';
      await journaled({ kind: 'withdraw', petitionId: signature.petitionId, signatureId, changes, at, share }, async (intent) => {
        const claimed = await withdrawals.claim({ signatureId, petitionId: signature.petitionId, signedAt: signature.createdAt, at, intent, delivered });
        if (!claimed) return { counting: null };
        await withdrawals.erase(signatureId, signature.createdAt);
        outcome = 'withdrawn';
        const entry = { petitionId: signature.petitionId, signatureId, share };
        return { counting: Promise.all([tallies.change(signature.petitionId, changes, intent), via.credit(entry)]).then(() => undefined) };
      });
      return outcome;
    });
  }

  return { withdraw, find: withdrawals.find, inFlight: journaled.inFlight };
}

export type SignatureWithdrawal = ReturnType<typeof createSignatureWithdrawal>;
