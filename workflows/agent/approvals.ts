/**
 * Pending approvals of one agent. A call that needs a person's word waits here, in the
 * agent's state (so a worker or server restart loses nothing), until the `approve` signal
 * answers it, its timeout applies the default decision, or the agent is cancelled.
 */
import * as wf from '@temporalio/workflow';
import type { AgentConfig } from '../../src/domain/agent';
import type { AgentState } from '../../src/domain/agent-state';
import type { ApprovalAnswer, PendingApproval } from '../../src/domain/approvals';
import { preview, EVENT_TEXT_PREVIEW, type AgentEventBody } from '../../src/domain/events';
import type { ToolPolicy } from '../../src/domain/policy';
import { approvePayload, type ApprovePayload } from '../../src/domain/protocol-payloads';
import type { AgentStatus } from '../../src/domain/status';
import { OrchestraApprovals } from '../../src/domain/search-attributes';
import { judge as judgePayload, reject, type Verdict } from '../control-handlers';
import { approveSignal, approveUpdate } from '../protocol';
import { countApproval } from './metrics';
import { described } from '../handler-descriptions';

export interface ApprovalHost {
  readonly config: AgentConfig;
  readonly state: AgentState;
  readonly policy: ToolPolicy;
  record(body: AgentEventBody): void;
  setStatus(to: AgentStatus, reason?: string): void;
  /** The agent is ending (cancelled, out of time): a wait cut short is not an answer. */
  ending(): boolean;
}

export interface ApprovalRequest {
  callId: string;
  kind: PendingApproval['kind'];
  tool: string;
  input: unknown;
  reason: string;
}

export class Approvals {
  constructor(private readonly host: ApprovalHost) {}

  /** Whether an answer can be taken (a pending approval not yet answered): pure, for the Update's validator too. */
  judge(raw: unknown): Verdict<ApprovePayload> {
    const { state } = this.host;
    return judgePayload(approvePayload, raw, ({ callId }) => {
      if (state.approvals.some((a) => a.callId === callId) && !state.answers[callId]) return undefined;
      const pending = state.approvals.map((a) => a.callId).join(', ') || 'none';
      return `no pending approval "${callId}" (pending: ${pending})`;
    });
  }

  /**
   * The `approve` signal, and the Update of the same name (refused by its validator when no
   * approval waits for that answer). `answered`: an Update was taken (run.ts answers it promptly).
   */
  installHandlers(answered: () => void): void {
    wf.setHandler(approveSignal, (raw) => this.answer(raw), described('approve'));
    wf.setHandler(
      approveUpdate,
      (raw: unknown) => {
        const before = this.host.state.status;
        this.answer(raw);
        answered();
        return { before, status: this.host.state.status };
      },
      { validator: (raw: unknown) => reject(this.judge(raw)), ...described('approve') },
    );
  }

  /** The `approve` signal or Update: an answer to a pending approval, or an ignored event saying why not. */
  answer(raw: unknown): void {
    const verdict = this.judge(raw);
    if (!verdict.ok) {
      this.host.record({ type: 'ignored', signal: 'approve', reason: verdict.reason });
      return;
    }
    const { callId, decision, note, user } = verdict.payload;
    this.host.state.answers[callId] = {
      decision,
      ...(note ? { note } : {}),
      by: 'person',
      ...(user ? { user } : {}),
    };
  }

  /** Wait for a person's word on `req`; the agent shows waiting_for_input meanwhile. */
  async request(req: ApprovalRequest): Promise<ApprovalAnswer> {
    const { config, state, policy } = this.host;
    const timeoutMs =
      policy.approvalTimeoutSeconds === undefined ? undefined : policy.approvalTimeoutSeconds * 1000;
    const json = JSON.stringify(req.input) ?? '';
    const pending: PendingApproval = {
      ...req,
      input: json.length <= EVENT_TEXT_PREVIEW ? req.input : preview(json),
      agentId: config.id,
      agentName: config.name,
      requestedAt: new Date().toISOString(),
      ...(timeoutMs === undefined
        ? {}
        : {
            expiresAt: new Date(Date.now() + timeoutMs).toISOString(),
            timeoutDecision: policy.timeoutDecision,
          }),
      lineage: [...(config.lineage ?? [])],
      ...pick(config, ['sessionId', 'swarmId', 'workspace', 'owner']),
    };
    state.approvals.push(pending);
    this.host.record({
      type: 'approval_requested',
      callId: req.callId,
      kind: req.kind,
      tool: req.tool,
      reason: req.reason,
    });
    countApproval('requested');
    this.sync();
    try {
      const answered = () => state.answers[req.callId] !== undefined;
      const inTime =
        timeoutMs === undefined
          ? (await wf.condition(answered), true)
          : await wf.condition(answered, timeoutMs);
      const answer: ApprovalAnswer = inTime
        ? state.answers[req.callId]
        : { decision: policy.timeoutDecision, by: 'timeout' };
      this.host.record({ type: 'approval_answered', callId: req.callId, ...answer });
      countApproval('answered', answer.by);
      return answer;
    } finally {
      // Also when the wait is cancelled: a cancelled agent has nothing pending.
      state.approvals = state.approvals.filter((a) => a.callId !== req.callId);
      delete state.answers[req.callId];
      this.sync();
    }
  }

  /** Status and the search attribute follow what is pending. */
  private sync(): void {
    const { state } = this.host;
    wf.upsertSearchAttributes([{ key: OrchestraApprovals, value: state.approvals.map((a) => a.callId) }]);
    if (state.approvals.length > 0) {
      const first = state.approvals[0];
      this.host.setStatus('waiting_for_input', `approval needed: ${first.tool} (${first.callId})`);
    } else if (state.status === 'waiting_for_input' && !this.host.ending()) {
      this.host.setStatus('running', 'approvals answered');
    }
  }
}

function pick<T extends object, K extends keyof T>(from: T, keys: K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const k of keys) if (from[k] !== undefined) out[k] = from[k];
  return out;
}
