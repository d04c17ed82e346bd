import type { OutboxRepository } from '../mail/outbox-repository.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import { signingState, type PetitionService } from '../petitions/petition-service.js';
import type { Petition } from '../petitions/petition-types.js';
import { AppError } from '../shared/errors.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { DataProtector } from '../shared/data-protector.js';
import { counter, type TallyChanges, type TallyService } from '../tallies/tally-service.js';
import type { ConfirmTokenRepository } from './confirm-token-repository.js';
import { createJournaledSteps } from './journaled-steps.js';
import type { SignatureJournalRepository } from './signature-journal-repository.js';
import { signatureId, type NewSignatureRecord, type SignatureRepository } from './signature-repository.js';
import type { SignatureInput } from './signature-types.js';
import { sealRecipient } from '../mail/sealed-recipient.js';
import type { Logger } from 'pino';

interface Deps {
  petitions: PetitionRepository;
  petitionService: Pick<PetitionService, 'findVisible'>;
  signatures: SignatureRepository;
  tokens: ConfirmTokenRepository;
  outbox: OutboxRepository;
  tallies: TallyService;
  journal: SignatureJournalRepository;
  protector: DataProtector;
  clock: () => Date;
  logger?: Pick<Logger, 'warn'>;
}

const confirmingChanges = (country: string, at: Date): TallyChanges => ({ [counter.confirmed(country)]: 1, [counter.pending]: -1, [counter.day(at)]: 1 });

export type SignOutcome = { status: 'check-email' | 'signed'; petition: Petition };

export function createSignatureService({ petitions, petitionService, signatures, tokens, outbox, tallies, journal, protector, clock, logger }: Deps) {
  const journaled = createJournaledSteps({ journal, tallies, logger });
  // Confirmations under load are mostly for a few petitions; their title may be a few seconds stale.
  const petitionById = createTtlCache<Petition | null>(5000);

  async function openPetition(slug: string): Promise<Petition> {
    const petition = await petitionService.findVisible(slug);
    const state = signingState(petition, clock());
    if (state === 'not_open') throw new AppError(409, 'petition_not_open', 'This petition does not accept signatures yet.');
    if (state === 'closed') throw new AppError(409, 'petition_closed', 'This petition is closed and no longer accepts signatures.');
    return petition;
  }

  /** The same counters are written for a new and a repeat signature; a repeat adds 0 to each. */
  function signingChanges(input: SignatureInput, countsAtOnce: boolean, created: boolean, now: Date): TallyChanges {
    const n = created ? 1 : 0;
    const changes: TallyChanges = countsAtOnce ? { [counter.confirmed(input.country)]: n, [counter.day(now)]: n } : { [counter.pending]: n };
    if (input.ref) changes[counter.ref(input.ref)] = n;
    if (input.referrer) changes[counter.source(input.referrer)] = n;
    return changes;
  }

  /**
   * A new signature and a repeat one take the same steps (a journal entry, one insert, one outbox
   * job, then after the answer one tally write: +1 or +0) and give the same answer, so neither the
   * response nor its timing tells who signed.
   */
  async function sign(slug: string, input: SignatureInput, meta: { ip: string | undefined; lang: string }): Promise<SignOutcome> {
    const petition = await openPetition(slug);
    const now = clock();
    const countsAtOnce = petition.verification === 'none';
    const emailHash = protector.emailHash(input.canonicalEmail);
    const id = signatureId(petition.id, emailHash);
    const record: NewSignatureRecord = {
      petitionId: petition.id,
      emailHash,
      domainHash: protector.domainHash(input.emailDomain),
      ipHash: meta.ip ? protector.ipHash(meta.ip) : null,
      country: input.country,
      status: countsAtOnce ? 'confirmed' : 'pending',
      verification: petition.verification,
      consent: { updates: input.updates, hideName: input.hideName },
      ref: input.ref,
      details: { firstName: input.firstName, lastName: input.lastName, email: input.email, postcode: input.postcode, comment: input.comment },
      createdAt: now,
    };
    const changes = signingChanges(input, countsAtOnce, true, now);
    await journaled({ kind: 'sign', petitionId: petition.id, signatureId: id, changes, at: now }, async (intent) => {
      const created = (await signatures.insert({ ...record, intent })) === 'created';
      const recipient = sealRecipient(protector, id, { firstName: input.firstName, email: input.email });
      const payload = { petitionId: petition.id, signatureId: id, country: input.country, firstSubmission: created, lang: meta.lang, recipient };
      await outbox.enqueue({ kind: 'signature-mail', payload }, now);
      const counting = tallies.change(petition.id, signingChanges(input, countsAtOnce, created, now), created ? intent : null);
      if (created) return { counting };
      counting.catch(() => undefined); // a repeat adds nothing: nothing to recover
      return { counting: null };
    });
    return { status: countsAtOnce ? 'signed' : 'check-email', petition };
  }

  async function checkToken(token: string) {
    const found = await tokens.find(token);
    if (!found) throw new AppError(404, 'token_unknown', 'This confirmation link is not valid.');
    if (found.expiresAt.getTime() <= clock().getTime()) throw new AppError(410, 'token_expired', 'This confirmation link has expired.');
    const petition = await petitionById.get(found.petitionId, () => petitions.findById(found.petitionId));
    if (!petition) throw new AppError(404, 'token_unknown', 'This confirmation link is not valid.');
    return { ...found, petition };
  }

  /**
   * Confirming twice is harmless: only the confirmation whose claim insert succeeds counts the
   * signature. The journal entry written first lets recovery finish a confirmation that a crash
   * cut short (signature-recovery.ts). A signature that moderation invalidated stays invalidated,
   * and the signer sees the same page as anyone else.
   */
  async function confirm(token: string): Promise<{ status: 'confirmed'; petition: Petition; signatureId: string }> {
    const { signatureId, petitionId, country, petition } = await checkToken(token);
    const now = clock();
    const changes = confirmingChanges(country, now);
    await journaled({ kind: 'confirm', petitionId, signatureId, changes, at: now }, async (intent) => {
      const counts = (await signatures.markConfirmed(signatureId, now)) === 'confirmed' && (await signatures.claimConfirmation(signatureId, now, intent));
      return { counting: counts ? tallies.change(petitionId, changes, intent) : null };
    });
    return { status: 'confirmed', petition, signatureId };
  }

  return { sign, checkToken, confirm, inFlight: journaled.inFlight };
}

export type SignatureService = ReturnType<typeof createSignatureService>;
