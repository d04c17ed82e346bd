import type { Logger } from 'pino';
import type { TallyService } from '../tallies/tally-service.js';
import { newIntentId, type JournalEntry, type SignatureJournalRepository } from './signature-journal-repository.js';
import type { ViaCounting } from './via-counting.js';

interface Deps {
  journal: SignatureJournalRepository;
  tallies: Pick<TallyService, 'release'>;
  /** A step that counts a signature for a personal link leaves a mark on the link's counter too. */
  via?: Pick<ViaCounting, 'release'>;
  logger?: Pick<Logger, 'warn'>;
}

/** A step's tally write, already started, when its fact counts under its entry; null when it does not (a repeat). */
type Counting = Promise<void> | null;

/**
 * Runs signing and confirming steps under journal entries: an entry is written first, the step
 * marks it in the tally with its counts, and the entry is removed afterwards. A step cut short by a
 * crash or a failure leaves its entry for recovery (signature-recovery.ts) to finish.
 */
export function createJournaledSteps({ journal, tallies, via, logger }: Deps) {
  // Entries this process is still working on: recovery leaves them alone.
  const inFlight = new Set<string>();

  /**
   * Not awaited by the request: once the step's fact is stored, the entry guarantees its count, so
   * the tally write and the entry's removal go on after the answer. An entry left behind (a crash,
   * a failed write) is finished by recovery, which finds the tally's mark if the write landed. The
   * mark itself goes only once the entry is gone.
   */
  function finish({ id: intent, petitionId, signatureId, share }: JournalEntry, counting: Counting): void {
    (counting ?? Promise.resolve())
      .then(() => journal.close(intent))
      .then(() => {
        if (!counting) return;
        tallies.release(petitionId, intent);
        via?.release({ petitionId, signatureId, share });
      })
      .catch((error: unknown) => logger?.warn({ err: error }, 'journal entry left for recovery'))
      .finally(() => inFlight.delete(intent));
  }

  /**
   * `step` stores the fact (a signature, a confirmation) and answers its counting. (Wrapped in an
   * object, since an async function would otherwise wait for the tally write.)
   */
  async function journaled(entry: Omit<JournalEntry, 'id'>, step: (intent: string) => Promise<{ counting: Counting }>): Promise<void> {
    const intent = newIntentId();
    inFlight.add(intent);
    let counting: Counting;
    try {
      await journal.open({ ...entry, id: intent });
      ({ counting } = await step(intent));
    } catch (error) {
      inFlight.delete(intent);
      throw error;
    }
    finish({ ...entry, id: intent }, counting);
  }

  /** Several steps that a caller groups itself: their entries go in one write, and `step` answers each one's counting by intent. */
  async function journaledAll(entries: Omit<JournalEntry, 'id'>[], step: (opened: JournalEntry[]) => Promise<Map<string, Counting>>): Promise<void> {
    const opened = entries.map((entry) => ({ id: newIntentId(), ...entry }));
    for (const { id } of opened) inFlight.add(id);
    let counting: Map<string, Counting>;
    try {
      await journal.openMany(opened);
      counting = await step(opened);
    } catch (error) {
      for (const { id } of opened) inFlight.delete(id);
      throw error;
    }
    for (const entry of opened) finish(entry, counting.get(entry.id) ?? null);
  }

  return Object.assign(journaled, { all: journaledAll, inFlight: () => new Set(inFlight) });
}
