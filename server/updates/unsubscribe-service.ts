import type { OutboxRepository } from '../mail/outbox-repository.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import type { Petition } from '../petitions/petition-types.js';
import { AppError } from '../shared/errors.js';
import type { SignatureSubscriberRepository } from '../signatures/index.js';
import type { UnsubscribeTokens } from './unsubscribe-token.js';

interface Deps {
  petitions: Pick<PetitionRepository, 'findById'>;
  signatures: Pick<SignatureSubscriberRepository, 'optOut'>;
  outbox: Pick<OutboxRepository, 'optOutOfUpdates'>;
  tokens: UnsubscribeTokens;
  clock: () => Date;
}

const unknownLink = () => new AppError(404, 'unsubscribe_unknown', 'This unsubscribe link is not valid.');

/** Stopping update emails from the link in one of them. The link alone authorises it: it names one signature and cannot be forged. */
export function createUnsubscribeService({ petitions, signatures, outbox, tokens, clock }: Deps) {
  /** The petition a link is about. Reads the petition only (a signature id starts with its petition's id), so showing the page costs no signature lookup. */
  async function petitionOf(token: string): Promise<{ signatureId: string; petition: Petition }> {
    const signatureId = tokens.read(token);
    const petitionId = signatureId?.slice(0, signatureId.indexOf(':'));
    const petition = petitionId && /^[0-9a-f]{24}$/.test(petitionId) ? await petitions.findById(petitionId) : null;
    if (!signatureId || !petition) throw unknownLink();
    return { signatureId, petition };
  }

  return {
    /** Changes nothing: the page behind a link, which mail scanners open too. */
    check: async (token: string): Promise<{ petition: Petition }> => ({ petition: (await petitionOf(token)).petition }),
    /** Idempotent; a signature erased meanwhile has nothing left to stop, and gets the same answer. */
    async unsubscribe(token: string): Promise<{ petition: Petition }> {
      const { signatureId, petition } = await petitionOf(token);
      // The opt-out list first: it is what the mail worker checks before each queued email, so that
      // sending reads no signature; the consent flag keeps the signer out of later announcements. Both are idempotent, so a retry after a failure completes.
      await outbox.optOutOfUpdates(signatureId, clock());
      await signatures.optOut(signatureId);
      return { petition };
    },
  };
}

export type UnsubscribeService = ReturnType<typeof createUnsubscribeService>;
