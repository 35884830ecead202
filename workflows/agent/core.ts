/**
 * The agent's state and how it changes: status (with its search attribute and Web UI
 * details), the event log, the inbox, usage reports, and the result. The run loop
 * (run.ts) builds on it.
 */
import * as wf from '@temporalio/workflow';
import {
  addUsage,
  AGENT_FAILED,
  appendEvent,
  currentDetails,
  EVENT_TEXT_PREVIEW,
  initialAgentState,
  preview,
  resultFromView,
  sessionWorkflowId,
  statusView,
  swarmWorkflowId,
  type AgentEventBody,
  type AgentInput,
  type AgentResult,
  type AgentState,
  type AgentStatus,
  type AgentStatusView,
  type ToolOutcome,
  type ToolUseBlock,
} from '../../src/domain';
import { OrchestraStatus } from '../../src/temporal/search-attributes';
import { usageSignal } from '../swarm/definitions';

export const now = (): string => new Date().toISOString();

export class AgentCore {
  protected readonly state: AgentState;

  constructor(protected readonly input: AgentInput) {
    // A state carried from before governance lacks its fields: fill them in.
    if (input.state) this.state = { ...initialAgentState(input.task, input.state.startedAt), ...input.state };
    else {
      this.state = initialAgentState(input.task, now());
      const { id, name, parentId } = input.config;
      this.record({ type: 'spawned', agentId: id, name, ...(parentId ? { parentId } : {}) });
    }
  }

  get config() {
    return this.input.config;
  }

  /** What finished subagents used, their own subagents included. */
  protected addDescendantUsage(totals: AgentResult['totals']): void {
    this.state.descendants = addUsage(this.state.descendants, totals);
  }

  /** Tell the swarm and the session this agent works for what it has used: they keep the budgets and totals. */
  protected async reportUsage(): Promise<void> {
    const { swarmId, sessionId, id } = this.config;
    const owners = [swarmId && swarmWorkflowId(swarmId), sessionId && sessionWorkflowId(sessionId)];
    const { tokens, toolCalls, iterations } = this.state;
    const report = {
      agentId: id,
      version: this.state.log.nextSeq,
      name: this.config.name,
      status: this.state.status,
      tokens: { ...tokens },
      toolCalls,
      iterations,
      costUsd: this.state.costUsd,
    };
    await Promise.all(
      owners
        .filter((o): o is string => Boolean(o))
        .map((owner) =>
          wf
            .getExternalWorkflowHandle(owner)
            .signal(usageSignal, report)
            // An owner that has already ended needs no report.
            .catch(() => undefined),
        ),
    );
  }

  protected enqueue(text: string, event: AgentEventBody): void {
    this.state.inbox.push(text);
    this.record(event);
  }

  /** Hand queued messages to the model: appended to the last user turn, or as a new one. */
  protected deliverInbox(): void {
    const { state } = this;
    const blocks = state.inbox.splice(0).map((text) => ({ type: 'text' as const, text }));
    const last = state.conversation[state.conversation.length - 1];
    if (last?.role === 'user') last.content.push(...blocks);
    else state.conversation.push({ role: 'user', content: blocks });
    state.turnEnded = false;
    if (!state.task) state.task = blocks[0].text;
    this.setStatus('running');
  }

  setTodos(todos: AgentState['todos']): void {
    this.state.todos = todos;
  }

  recordCall(call: ToolUseBlock): void {
    // Arguments can be a whole file: keep the event a preview, the transcript has the rest.
    const json = JSON.stringify(call.input) ?? '';
    const input = json.length <= EVENT_TEXT_PREVIEW ? call.input : preview(json);
    this.record({ type: 'tool_call', callId: call.id, tool: call.name, input });
  }

  recordResult(call: ToolUseBlock, outcome: ToolOutcome): void {
    const output = outcome.ok ? outcome.output : outcome.error;
    this.record({
      type: 'tool_result',
      callId: call.id,
      tool: call.name,
      ok: outcome.ok,
      output: preview(output),
    });
    for (const artifact of (outcome.ok && outcome.artifacts) || []) {
      if (!this.state.artifacts.includes(artifact)) this.state.artifacts.push(artifact);
    }
  }

  protected record(body: AgentEventBody): void {
    this.state.updatedAt = now();
    appendEvent(this.state.log, body, this.state.updatedAt);
  }

  protected setStatus(to: AgentStatus, reason?: string): void {
    const from = this.state.status;
    if (from === to) return;
    this.state.status = to;
    this.record({ type: 'status', from, to, ...(reason ? { reason } : {}) });
    wf.upsertSearchAttributes([{ key: OrchestraStatus, value: to }]);
    wf.setCurrentDetails(currentDetails(this.config, this.state));
  }

  protected finish(status: 'completed' | 'cancelled', reason?: string): AgentResult {
    this.setStatus(status, reason);
    return this.result();
  }

  protected fail(reason: string): wf.ApplicationFailure {
    this.state.error = reason;
    this.setStatus('failed', reason);
    return wf.ApplicationFailure.create({
      message: reason,
      type: AGENT_FAILED,
      nonRetryable: true,
      details: [this.result()],
    });
  }

  protected result(): AgentResult {
    return resultFromView(this.view());
  }

  protected view(): AgentStatusView {
    return statusView(this.config, this.state);
  }
}
