/**
 * Pause, resume, cancel and message, one rule for agents, swarms and sessions: each request
 * is a signal (the Web UI, `temporal workflow signal`) and an Update of the same name (the
 * CLI, the API). A signal the rule refuses is reported to `ignored`; an Update it refuses is
 * rejected by its validator, so the caller hears why, atomically, and nothing is recorded.
 * The workflows' own traffic (usage, broadcast, join, finding, charge) is judged by the same
 * rule: a bad signal is reported to the same `ignored`, a bad charge rejected the same way.
 */
import * as wf from '@temporalio/workflow';
import type { ZodType } from 'zod';
import { preview } from '../src/domain/events';
import {
  cancelPayload,
  chargePayload,
  ControlRejection,
  messagePayload,
  pausePayload,
  resumePayload,
  type CancelPayload,
  type ChargeAnswer,
  type Charge,
  type MessagePayload,
  type PausePayload,
  type ResumePayload,
} from '../src/domain/protocol-payloads';
import { refusalReason, type AgentStatus, type ControlAction } from '../src/domain/status';
import { describeIssue } from '../src/domain/zod-error';
import { CONTROL_CHANNELS, chargeUpdate, pauseUpdate } from './protocol';
import { described, type HandlerName } from './handler-descriptions';

/** Where a workflow reports a signal it refused: an agent's or a swarm's events, a session's status. */
export type Ignored = (signal: string, reason: string) => void;

export interface Controlled {
  what: 'agent' | 'swarm' | 'session';
  status(): AgentStatus;
  /** What an accepted request does; the actions left out are not taken. */
  apply: {
    pause?(p: PausePayload): void;
    resume?(p: ResumePayload): void;
    cancel?(p: CancelPayload): void;
    message?(p: MessagePayload): void;
  };
  /** A signal refused (a bad payload, or a status that does not take it). */
  ignored: Ignored;
  /** An Update was taken: its caller waits for the workflow task to complete. */
  answered?(): void;
}

const SCHEMAS = {
  pause: pausePayload,
  resume: resumePayload,
  cancel: cancelPayload,
  message: messagePayload,
};

export type Verdict<T> = { ok: true; payload: T } | { ok: false; type: string; reason: string };

/** A payload judged against its schema and the status: pure, so validators may call it. */
export function judge<T>(
  schema: ZodType<T>,
  raw: unknown,
  refusal: (payload: T) => string | undefined,
): Verdict<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success)
    return {
      ok: false,
      type: ControlRejection.badPayload,
      reason: `bad payload: ${describeIssue(parsed.error)}`,
    };
  const refused = refusal(parsed.data);
  return refused
    ? { ok: false, type: ControlRejection.refused, reason: refused }
    : { ok: true, payload: parsed.data };
}

/** The Update's rejection: non-retryable, typed, with the reason a person reads. */
export function reject(verdict: Verdict<unknown>): void {
  if (!verdict.ok)
    throw wf.ApplicationFailure.create({ type: verdict.type, message: verdict.reason, nonRetryable: true });
}

export function installControlHandlers(target: Controlled): void {
  for (const action of Object.keys(target.apply) as ControlAction[]) {
    const { signal, update } = CONTROL_CHANNELS[action];
    const schema = SCHEMAS[action];
    const apply = target.apply[action] as (payload: unknown) => void;
    const decide = (raw: unknown) =>
      judge(schema as ZodType<unknown>, raw, () => refusalReason(action, target.status(), target.what));
    wf.setHandler(
      signal,
      (raw) => {
        const verdict = decide(raw);
        if (verdict.ok) apply(verdict.payload);
        else target.ignored(action, verdict.reason);
      },
      described(action),
    );
    wf.setHandler(
      update as typeof pauseUpdate,
      (raw: unknown) => {
        const before = target.status();
        const verdict = decide(raw);
        if (verdict.ok) apply(verdict.payload);
        target.answered?.();
        return { before, status: target.status() };
      },
      { validator: (raw: unknown) => reject(decide(raw)), ...described(action) },
    );
  }
}

/** One of the workflows' own signals (usage, broadcast, join, finding): taken, or reported to `ignored`. */
export function installSignal<T>(
  signal: wf.SignalDefinition<[unknown]>,
  schema: ZodType<T>,
  apply: (payload: T) => void,
  ignored: Ignored,
): void {
  const name = signal.name as HandlerName;
  wf.setHandler(
    signal,
    (raw) => {
      const verdict = judge(schema, raw, () => undefined);
      if (verdict.ok) apply(verdict.payload);
      else ignored(name, verdict.reason);
    },
    described(name),
  );
}

/** The `charge` Update, a ledger's and a session's: a bad charge is rejected by its validator. */
export function installChargeHandler(apply: (charge: Charge) => ChargeAnswer): void {
  const decide = (raw: unknown) => judge(chargePayload, raw, () => undefined);
  wf.setHandler(chargeUpdate, (raw) => apply(chargePayload.parse(raw)), {
    validator: (raw) => reject(decide(raw)),
    ...described('charge'),
  });
}

/**
 * A signal no handler takes (a typo in `temporal workflow signal --name`) would wait unseen in
 * the SDK's buffer for the rest of the run: report it to `ignored` instead. Set after every
 * other handler (buffered signals go to the first handler that takes them), before the first await.
 */
export function recordUnknownSignals(ignored: Ignored): void {
  wf.setDefaultSignalHandler((name) => ignored(preview(name), 'no such signal'));
}
