import type { Logger } from 'pino';
import type { TallyService } from '../tallies/tally-service.js';
import { newIntentId, type JournalEntry, type SignatureJournalRepository } from './signature-journal-repository.js';

interface Deps {
  journal: SignatureJournalRepository;
  tallies: Pick<TallyService, 'release'>;
  logger?: Pick<Logger, 'warn'>;
}

/**
 * Runs a signing or confirming step under a journal entry: the entry is written first, the step
 * marks it in the tally with its counts, and the entry is removed afterwards. A step cut short by a
 * crash or a failure leaves its entry for recovery (signature-recovery.ts) to finish.
 */
export function createJournaledSteps({ journal, tallies, logger }: Deps) {
  // Entries this process is still working on: recovery leaves them alone.
  const inFlight = new Set<string>();

  /**
   * Not awaited by the request: once the step's fact is stored, the entry guarantees its count, so
   * the tally write and the entry's removal go on after the answer. An entry left behind (a crash,
   * a failed write) is finished by recovery, which finds the tally's mark if the write landed. The
   * mark itself goes only once the entry is gone.
   */
  function finish(intent: string, petitionId: string, counting: Promise<void> | null): void {
    (counting ?? Promise.resolve())
      .then(() => journal.close(intent))
      .then(() => counting && tallies.release(petitionId, intent))
      .catch((error: unknown) => logger?.warn({ err: error }, 'journal entry left for recovery'))
      .finally(() => inFlight.delete(intent));
  }

  /**
   * `step` stores the fact (a signature, a confirmation) and answers its tally write, already
   * started, when the fact counts under this entry, or null when it does not (a repeat). (Wrapped
   * in an object, since an async function would otherwise wait for it.)
   */
  async function journaled(entry: Omit<JournalEntry, 'id'>, step: (intent: string) => Promise<{ counting: Promise<void> | null }>): Promise<void> {
    const intent = newIntentId();
    inFlight.add(intent);
    let counting: Promise<void> | null;
    try {
      await journal.open({ id: intent, ...entry });
      ({ counting } = await step(intent));
    } catch (error) {
      inFlight.delete(intent);
      throw error;
    }
    finish(intent, entry.petitionId, counting);
  }

  return Object.assign(journaled, { inFlight: () => new Set(inFlight) });
}
