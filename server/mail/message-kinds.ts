/**
 * The kinds of message the outbox carries. The outbox and its worker know none of them: each feature registers
 * its own kinds in composition (server/compose.ts): which lane, how to plan one message, and to whom.
 */

/**
 * Two lanes: a person waiting at their inbox (a confirmation link, a lost receipt) must never wait behind a
 * mailing (thousands of "counted" receipts after a burst of confirmations, a delivery's updates).
 */
export type Lane = 'urgent' | 'bulk';

/** A job as queued: references and sealed recipients only, plus the language its email is written in. */
export interface OutboxJob {
  kind: string;
  payload: Record<string, unknown> & { lang: string };
}

export type ClaimedJob = OutboxJob & { id: string; attempts: number };

/** One email, worked out from its job: the template (server/mail/templates/<name>), its address, variables and headers. */
export interface MailPlan {
  template: string;
  to: string;
  vars: Record<string, unknown>;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
}

export interface MessageKind<Payload = never, Plan extends MailPlan = MailPlan> {
  lane: Lane;
  /**
   * Sent at most once per job id, even when queued again under that id after it was sent (and deleted): for
   * jobs whose ids say what they are about, e.g. one delivery's update to one signer.
   */
  oncePerId?: boolean;
  /** The email a job becomes; null when none is due any more (deleted petition, opt-out, notice cap). */
  plan(job: { id: string; attempts: number; payload: Payload }): Promise<Plan | null>;
  /** Run on one pass's plans of this kind before any is sent, e.g. to issue their links in one write. */
  prepare?(plans: Plan[]): Promise<void>;
  /**
   * The mailing a job is part of, for its progress bar: each job finished (sent, dropped or failed for good) counts
   * one for it (OutboxRepository.handled). Null for a job of no mailing, e.g. a test send.
   */
  mailingOf?(payload: Payload): string | null;
}

export function createMessageKinds() {
  const kinds = new Map<string, MessageKind<unknown>>();
  const get = (name: string): MessageKind<unknown> => {
    const kind = kinds.get(name);
    if (!kind) throw new Error(`No message kind "${name}" is registered (see server/compose.ts).`);
    return kind;
  };
  return {
    register<Payload, Plan extends MailPlan>(name: string, kind: MessageKind<Payload, Plan>): void {
      if (kinds.has(name)) throw new Error(`Message kind "${name}" is registered twice.`);
      kinds.set(name, kind);
    },
    get,
    laneOf: (name: string): Lane => get(name).lane,
  };
}

export type MessageKinds = ReturnType<typeof createMessageKinds>;
