import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { DataProtector } from '../shared/data-protector.js';
import type { ShareCodeService } from '../sharing/index.js';
import type { JournalEntry } from './signature-journal-repository.js';

type Entry = Pick<JournalEntry, 'petitionId' | 'signatureId' | 'share'>;
interface Sealed {
  via: string;
  mark: string;
  /** -1 for a withdrawal; absent (+1) in entries of signing and confirming. */
  by?: -1;
}

/**
 * Counting a signature for the personal link it came through (`via`), exactly once like its tally
 * changes: the journal entry of the step carries the code and a random mark, sealed; the code's
 * counter takes the mark with its +1 and refuses it a second time; the mark is removed once the
 * entry is closed. The mark is random, not the entry's id (which the signature keeps as
 * `confirmedBy`), so the counter never names a signature.
 */
export function createViaCounting({ protector, shareCodes, logger }: { protector: DataProtector; shareCodes: Pick<ShareCodeService, 'credit' | 'unmark'>; logger?: Pick<Logger, 'warn'> }) {
  const context = (signatureId: string) => `journal-share:${signatureId}`;
  const opened = (entry: Entry): Sealed | null => (entry.share ? protector.open<Sealed>(Buffer.from(entry.share, 'base64'), context(entry.signatureId)) : null);

  return {
    /** What a journal entry carries for a step that counts a signature that came through `via`. */
    seal: (signatureId: string, via: string | null, by: 1 | -1 = 1): string | null =>
      via ? protector.seal({ via, mark: randomBytes(12).toString('base64url'), ...(by === -1 ? { by } : {}) } satisfies Sealed, context(signatureId)).toString('base64') : null,
    /** The step counted: +1 for its code (-1 for a withdrawal), once however often this runs for the entry. */
    credit(entry: Entry): Promise<void> {
      const sealed = opened(entry);
      return sealed ? shareCodes.credit(sealed.via, entry.petitionId, sealed.mark, sealed.by ?? 1) : Promise.resolve();
    },
    /** After the entry is closed. A mark left by a crash in between is random and names nothing: it only takes a few bytes. */
    release(entry: Entry): void {
      const sealed = opened(entry);
      if (sealed) shareCodes.unmark(sealed.via, sealed.mark).catch((error: unknown) => logger?.warn({ err: error }, 'share code mark left behind'));
    },
  };
}

export type ViaCounting = ReturnType<typeof createViaCounting>;
