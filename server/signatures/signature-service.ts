import { isLanguage } from '../i18n/languages.js';
import type { OutboxRepository } from '../mail/outbox-repository.js';
import type { PetitionRepository } from '../petitions/petition-repository.js';
import { signingState, type PetitionService } from '../petitions/petition-service.js';
import type { Petition } from '../petitions/petition-types.js';
import { AppError } from '../shared/errors.js';
import { createBatcher } from '../shared/batcher.js';
import { createTtlCache } from '../shared/ttl-cache.js';
import type { DataProtector } from '../shared/data-protector.js';
import { counter, type TallyChanges, type TallyService } from '../tallies/tally-service.js';
import type { ConfirmTokenRepository, FoundToken, TokenTarget } from './confirm-token-repository.js';
import { createJournaledSteps } from './journaled-steps.js';
import type { SignatureJournalRepository } from './signature-journal-repository.js';
import { signatureId, type NewSignatureRecord, type SignatureRepository } from './signature-repository.js';
import type { SignatureInput } from './signature-types.js';
import { sealRecipient } from '../mail/sealed-recipient.js';
import type { Logger } from 'pino';
import { newShareCode } from '../sharing/index.js';
import { openVia, sealVia } from './share-seal.js';
import type { ViaCounting } from './via-counting.js';

interface Deps {
  petitions: PetitionRepository;
  petitionService: Pick<PetitionService, 'findVisible'>;
  signatures: SignatureRepository;
  tokens: ConfirmTokenRepository;
  outbox: OutboxRepository;
  tallies: TallyService;
  journal: SignatureJournalRepository;
  protector: DataProtector;
  /** Counts signatures for the personal link they came through (sharing/share-codes.ts). */
  via: ViaCounting;
  clock: () => Date;
  logger?: Pick<Logger, 'warn'>;
}

// Confirmations grouped in one write at most: enough to share the round trips under load, few enough that
// a group's per-signature updates do not hold its first requests long.
const CONFIRM_BATCH = 64;

/**
 * Sources (`ref` codes, referring sites) are counted with the country, at confirmation: it proves
 * that the address's owner acted, whereas anyone can sign with an address and a code of their own.
 */
export function countingChanges(target: { country: string; ref?: string | null; referrer?: string | null }, at: Date, n: number): TallyChanges {
  const changes: TallyChanges = { [counter.confirmed(target.country)]: n, [counter.day(at)]: n };
  if (target.ref) changes[counter.ref(target.ref)] = n;
  if (target.referrer) changes[counter.source(target.referrer)] = n;
  return changes;
}

const confirmingChanges = (target: TokenTarget, at: Date): TallyChanges => ({ ...countingChanges(target, at, 1), [counter.pending]: -1 });

export type SignOutcome = { status: 'check-email' | 'signed'; petition: Petition };

export function createSignatureService({ petitions, petitionService, signatures, tokens, outbox, tallies, journal, protector, via, clock, logger }: Deps) {
  const journaled = createJournaledSteps({ journal, tallies, via, logger });
  // Confirmations under load are mostly for a few petitions; their title may be a few seconds stale.
  const petitionById = createTtlCache<Petition | null>(5000);

  async function openPetition(slug: string): Promise<Petition> {
    const petition = await petitionService.findVisible(slug);
    const state = signingState(petition, clock());
    if (state === 'not_open') throw new AppError(409, 'petition_not_open', 'This petition does not accept signatures yet.');
    if (state === 'closed') throw new AppError(409, 'petition_closed', 'This petition is closed and no longer accepts signatures.');
    return petition;
  }

  /**
   * The same counters are written for a new and a repeat signature; a repeat adds 0 to each. With
   * email verification only `pending` moves, and only organisers and admins see it; without, the
   * signature counts at once, and others see its counts only once published (tallies/published-counts.ts).
   */
  function signingChanges(input: SignatureInput, countsAtOnce: boolean, created: boolean, now: Date): TallyChanges {
    const n = created ? 1 : 0;
    return countsAtOnce ? countingChanges(input, now, n) : { [counter.pending]: n };
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
      referrer: input.referrer,
      // Rides in the insert: every later email to this signer is in the language they signed in.
      language: isLanguage(meta.lang) ? meta.lang : null,
      details: { firstName: input.firstName, lastName: input.lastName, email: input.email, postcode: input.postcode, comment: input.comment },
      // The personal code is drawn with the signature, whose insert happens once: the thank-you page, the receipt and the
      // "counted" email, which may all ask at once, then show the same code (shown only once the signature counts).
      share: { code: newShareCode(), via: input.via },
      createdAt: now,
    };
    const changes = signingChanges(input, countsAtOnce, true, now);
    const share = countsAtOnce ? via.seal(id, input.via) : null;
    await journaled({ kind: 'sign', petitionId: petition.id, signatureId: id, changes, at: now, share }, async (intent) => {
      const created = (await signatures.insert({ ...record, intent })) === 'created';
      const recipient = sealRecipient(protector, id, { firstName: input.firstName, email: input.email });
      const payload = {
        petitionId: petition.id,
        signatureId: id,
        country: input.country,
        ref: input.ref,
        referrer: input.referrer,
        via: sealVia(protector, id, input.via),
        firstSubmission: created,
        lang: meta.lang,
        recipient,
      };
      await outbox.enqueue({ kind: 'signature-mail', payload }, now);
      const tally = tallies.change(petition.id, signingChanges(input, countsAtOnce, created, now), created ? intent : null);
      if (created) return { counting: share ? Promise.all([tally, via.credit({ petitionId: petition.id, signatureId: id, share })]).then(() => undefined) : tally };
      tally.catch(() => undefined); // a repeat adds nothing: nothing to recover
      return { counting: null };
    });
    return { status: countsAtOnce ? 'signed' : 'check-email', petition };
  }

  type Checked = TokenTarget & { expiresAt: Date; petition: Petition };

  /**
   * The "your signature is counted" email, with the receipt, for each signature a group of confirmations
   * counted: one write for the group, after the answer like the tally write. A crash in between loses
   * only this email (the thanks page shows the receipt link too); ids per signature queue it once.
   */
  function queueCountedMail(targets: Checked[], at: Date): void {
    const jobs = targets.flatMap(({ petitionId, signatureId, recipient, lang, petition }) =>
      recipient ? [{ id: `counted:${signatureId}`, job: { kind: 'signature-counted' as const, payload: { petitionId, signatureId, lang: lang ?? petition.language, recipient } } }] : [],
    );
    if (jobs.length > 0) outbox.enqueueMany(jobs, at).catch((error: unknown) => logger?.warn({ err: error }, '"counted" emails not queued'));
  }

  /** A token's target and petition, or the error its signer sees. */
  async function targetOf(token: string, found: FoundToken | undefined): Promise<Checked | AppError> {
    if (!found) return new AppError(404, 'token_unknown', 'This confirmation link is not valid.');
    if (found.expiresAt.getTime() <= clock().getTime()) return new AppError(410, 'token_expired', 'This confirmation link has expired.');
    const petition = await petitionById.get(found.petitionId, () => petitions.findById(found.petitionId));
    if (!petition) return new AppError(404, 'token_unknown', 'This confirmation link is not valid.');
    return { ...found, petition };
  }

  async function checkToken(token: string): Promise<Checked> {
    const checked = await targetOf(token, (await tokens.findMany([token])).get(token));
    if (checked instanceof AppError) throw checked;
    return checked;
  }

  /**
   * Confirmations that arrive together are stored together (group commit): one read of their
   * tokens, one write of their journal entries, one grouped update of their signatures, one write
   * of their claims. Confirming twice is harmless: only the entry that changed the signature from
   * pending and whose claim insert succeeds counts it. The journal entries let recovery finish a
   * confirmation that a crash cut short (signature-recovery.ts). A signature that moderation
   * invalidated stays invalidated, and the signer sees the same page as anyone else.
   */
  const confirmTogether = createBatcher<string, Checked | AppError>(async (batch) => {
    const found = await tokens.findMany(batch);
    const checked = await Promise.all(batch.map((token) => targetOf(token, found.get(token))));
    const valid = checked.filter((c): c is Checked => !(c instanceof AppError));
    const now = clock();
    await journaled.all(
      valid.map((target) => ({
        kind: 'confirm',
        petitionId: target.petitionId,
        signatureId: target.signatureId,
        changes: confirmingChanges(target, now),
        at: now,
        share: via.seal(target.signatureId, openVia(protector, target.signatureId, target.via)),
      })),
      async (entries) => {
        const changed = await signatures.confirmPending(entries.map((e) => ({ id: e.signatureId, at: now, intent: e.id })));
        const candidates = entries.filter((e) => changed.has(e.id));
        const claimed = await signatures.claimConfirmations(candidates.map((e) => ({ id: e.signatureId, at: now, intent: e.id })));
        const counting = candidates.filter((_, i) => claimed[i]);
        // Entries were opened in the order of `valid`.
        queueCountedMail(counting.map((e) => valid[entries.indexOf(e)]!), now);
        return new Map(counting.map((e) => [e.id, Promise.all([tallies.change(e.petitionId, e.changes, e.id), via.credit(e)]).then(() => undefined)]));
      },
    );
    return checked;
  }, CONFIRM_BATCH);

  async function confirm(token: string): Promise<{ status: 'confirmed'; petition: Petition; signatureId: string }> {
    const checked = await confirmTogether(token);
    if (checked instanceof AppError) throw checked;
    return { status: 'confirmed', petition: checked.petition, signatureId: checked.signatureId };
  }

  return { sign, checkToken, confirm, inFlight: journaled.inFlight };
}

export type SignatureService = ReturnType<typeof createSignatureService>;
