/**
 * Pause, resume, cancel and message: the agent's control signals. A bad payload, one its
 * status refuses (resume a running agent), or a signal it does not know is recorded as an
 * `ignored` event, never thrown.
 */
import * as wf from '@temporalio/workflow';
import type { ZodError } from 'zod';
import {
  cancelPayload,
  describeIssue,
  messagePayload,
  pausePayload,
  preview,
  refusalReason,
  resumePayload,
  type AgentConfig,
  type AgentEventBody,
  type AgentState,
  type AgentStatus,
  type ControlAction,
  type MessagePayload,
} from '../../src/domain';
import { cancelSignal, messageSignal, pauseSignal, resumeSignal } from './definitions';
import { messageText } from './messaging';

export interface ControlHost {
  readonly config: AgentConfig;
  readonly state: AgentState;
  record(body: AgentEventBody): void;
  setStatus(to: AgentStatus, reason?: string): void;
  enqueue(text: string, event: AgentEventBody): void;
  /** Pass a pause or resume on to the agent's running subagents. */
  propagate(action: 'pause' | 'resume', payload: object): void;
  /** Cancel the step in flight, its activities with it. */
  cancelStep(): void;
}

export function installControlHandlers(host: ControlHost): void {
  const on = <T>(
    action: ControlAction,
    parsed: { success: true; data: T } | { success: false; error: ZodError },
    apply: (payload: T) => void,
  ): void => {
    if (!parsed.success) {
      host.record({ type: 'ignored', signal: action, reason: `bad payload: ${describeIssue(parsed.error)}` });
      return;
    }
    const refusal = refusalReason(action, host.state.status);
    if (refusal) {
      host.record({ type: 'ignored', signal: action, reason: refusal });
      return;
    }
    apply(parsed.data);
  };
  wf.setHandler(pauseSignal, (raw) => on('pause', pausePayload.safeParse(raw), (p) => pause(host, p.reason)));
  wf.setHandler(resumeSignal, (raw) =>
    on('resume', resumePayload.safeParse(raw), (p) => resume(host, p.task)),
  );
  wf.setHandler(cancelSignal, (raw) =>
    on('cancel', cancelPayload.safeParse(raw), (p) => {
      host.state.cancel = { reason: p.reason };
      host.cancelStep();
    }),
  );
  wf.setHandler(messageSignal, (raw) =>
    on('message', messagePayload.safeParse(raw), (p) => message(host, p)),
  );
}

/**
 * A signal no handler takes (a typo in `temporal workflow signal --name`) would wait unseen in
 * the SDK's buffer for the rest of the run: record it instead. Set after every other handler
 * (buffered signals go to the first handler that takes them), before the first await.
 */
export function recordUnknownSignals(host: Pick<ControlHost, 'record'>): void {
  wf.setDefaultSignalHandler((name) =>
    host.record({ type: 'ignored', signal: preview(name), reason: 'no such signal' }),
  );
}

function pause(host: ControlHost, reason?: string): void {
  const { state, config } = host;
  state.statusBeforePause = state.status;
  state.pausedReason = reason;
  host.setStatus('paused', reason);
  host.propagate('pause', { reason: `${config.id} paused${reason ? `: ${reason}` : ''}` });
}

function resume(host: ControlHost, task?: string): void {
  const { state } = host;
  const back = state.statusBeforePause ?? 'running';
  state.pausedReason = undefined;
  state.statusBeforePause = undefined;
  host.setStatus(back, 'resumed');
  host.propagate('resume', {});
  if (task) host.enqueue(task, { type: 'task', task: preview(task) });
}

function message(host: ControlHost, p: MessagePayload): void {
  if (!p.from) host.state.sentBack = 0; // a person's word starts a new turn
  const from = p.from ? { from: p.from, kind: p.kind ?? 'message' } : {};
  host.enqueue(messageText(p), { type: 'message', role: 'user', text: preview(p.content), ...from });
}
