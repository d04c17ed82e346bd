import type { Logger } from 'pino';
import type { TallyRepository } from '../tallies/tally-repository.js';
import type { TallyService } from '../tallies/tally-service.js';
import type { JournalEntry, SignatureJournalRepository } from './signature-journal-repository.js';
import type { SignatureRepository } from './signature-repository.js';
import type { SignatureWithdrawalRepository } from './signature-withdrawal-repository.js';
import type { ViaCounting } from './via-counting.js';

interface Deps {
  journal: SignatureJournalRepository;
  signatures: Pick<SignatureRepository, 'writtenBy' | 'confirmationClaim' | 'markConfirmed' | 'claimConfirmation'>;
  withdrawals: Pick<SignatureWithdrawalRepository, 'tookEffect'>;
  tallies: Pick<TallyService, 'change' | 'release'>;
  marks: Pick<TallyRepository, 'marks'>;
  via: Pick<ViaCounting, 'credit' | 'release'>;
  /** Entries the live process is still working on. */
  inFlight: () => Set<string>;
  clock: () => Date;
  logger: Logger;
}

/**
 * Finishes journal entries that a crash (of the app or the database) or a failed request left
 * open, so that the tallies hold every signature and confirmation exactly once, with no recount.
 */
export function createSignatureRecovery({ journal, signatures, withdrawals, tallies, marks, via, inFlight, clock, logger }: Deps) {
  /** Did the step take effect? A confirmation cut short before its claim is finished now: the signer asked for it. */
  async function tookEffect(entry: JournalEntry): Promise<boolean> {
    if (entry.kind === 'sign') return (await signatures.writtenBy(entry.signatureId))?.intent === entry.id;
    // A withdrawal whose claim was written is finished (its erasure too): the signer asked for it.
    if (entry.kind === 'withdraw') return withdrawals.tookEffect(entry.signatureId, entry.id);
    const claim = await signatures.confirmationClaim(entry.signatureId);
    if (claim) return claim.intent === entry.id;
    return (await signatures.markConfirmed(entry.signatureId, entry.at)) === 'confirmed' && (await signatures.claimConfirmation(entry.signatureId, entry.at, entry.id));
  }

  /** Finishes the entries written before `before` that no live step holds; returns how many it counted. */
  async function run(before: Date): Promise<{ entries: number; counted: number; staleMarks: number }> {
    const busy = inFlight();
    const entries = (await journal.openedBefore(before)).filter((e) => !busy.has(e.id));
    // Marks first, open entries second: a mark whose entry is not open then was closed before.
    const applied = await marks.marks();
    let counted = 0;
    for (const entry of entries) {
      const inTally = applied.get(entry.petitionId)?.has(entry.id) ?? false;
      const counts = inTally || (await tookEffect(entry));
      if (counts && !inTally) {
        await tallies.change(entry.petitionId, entry.changes, entry.id);
        counted += 1;
      }
      // The personal link's counter has its own mark: crediting again is a no-op if the first landed.
      if (counts) await via.credit(entry);
      await journal.close(entry.id);
      tallies.release(entry.petitionId, entry.id);
      via.release(entry);
    }
    const open = await journal.ids();
    let staleMarks = 0;
    for (const [petitionId, ids] of applied) {
      const stale = [...ids].filter((id) => !open.has(id) && !busy.has(id));
      for (const id of stale) tallies.release(petitionId, id);
      // An empty change carries the released marks, through the petition's single writer.
      if (stale.length > 0) await tallies.change(petitionId, {});
      staleMarks += stale.length;
    }
    if (entries.length > 0) logger.warn({ entries: entries.length, counted }, 'recovered journal entries left by an interrupted step');
    return { entries: entries.length, counted, staleMarks };
  }

  let timer: NodeJS.Timeout | null = null;
  return {
    run,
    /** Every `everyMs`, finishes entries older than `afterMs`: a live step never takes that long. */
    start(everyMs: number, afterMs: number) {
      timer = setInterval(() => {
        run(new Date(clock().getTime() - afterMs)).catch((error: unknown) => logger.error({ err: error }, 'journal recovery failed'));
      }, everyMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
    },
  };
}

export type SignatureRecovery = ReturnType<typeof createSignatureRecovery>;
