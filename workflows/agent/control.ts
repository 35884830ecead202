/**
 * Pause, resume, cancel and message: what they do to an agent (the rule that takes or refuses
 * them, as signals and as Updates, is workflows/control-handlers.ts). A refused signal, or one
 * the agent does not know (control-handlers.ts too), is recorded as an `ignored` event, never thrown.
 */
import type { AgentConfig } from '../../src/domain/agent';
import type { AgentState } from '../../src/domain/agent-state';
import { firstTime } from '../../src/domain/charged-calls';
import { preview, type AgentEventBody } from '../../src/domain/events';
import type { MessagePayload } from '../../src/domain/protocol-payloads';
import type { AgentStatus } from '../../src/domain/status';
import { installControlHandlers } from '../control-handlers';
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
  /** An Update was taken: answer it before the next run of local steps (run.ts). */
  answered(): void;
}

/** The last message request ids read, so one sent as an Update and again as a signal is read once. */
const MESSAGE_IDS_KEPT = 100;

export function installAgentControl(host: ControlHost): void {
  installControlHandlers({
    what: 'agent',
    status: () => host.state.status,
    apply: {
      pause: (p) => pause(host, p.reason),
      resume: (p) => resume(host, p.task),
      cancel: (p) => {
        host.state.cancel = {
          reason: p.reason,
          ...(p.temporalCancelFollows ? { temporalCancelFollows: true } : {}),
        };
        host.cancelStep();
      },
      message: (p) => {
        if (p.requestId && !firstTime((host.state.messageRequests ??= []), p.requestId, MESSAGE_IDS_KEPT))
          return;
        message(host, p);
      },
    },
    ignored: (action, reason) => host.record({ type: 'ignored', signal: action, reason }),
    answered: () => host.answered(),
  });
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
