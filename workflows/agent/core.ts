/**
 * The agent's state and how it changes: status (with its search attribute and Web UI
 * details), the event log, the inbox, usage reports, and the result. The run loop
 * (run.ts) builds on it.
 */
import * as wf from '@temporalio/workflow';
import { addUsage, DEFAULT_TUNING, type AgentResult, type AgentStatusView } from '../../src/domain/agent';
import { currentDetails, resultFromView, statusView } from '../../src/domain/agent-report';
import { initialAgentState, type AgentInput, type AgentState } from '../../src/domain/agent-state';
import { afterCall, afterTodos, emptyProgress, progressReport } from '../../src/domain/branch-progress';
import { appendEvent, EVENT_TEXT_PREVIEW, preview, type AgentEventBody } from '../../src/domain/events';
import { AGENT_FAILED } from '../../src/domain/failures';
import type { ConversationMessage, ToolUseBlock } from '../../src/domain/messages';
import { sessionWorkflowId } from '../../src/domain/session';
import type { AgentStatus } from '../../src/domain/status';
import { swarmWorkflowId } from '../../src/domain/swarm';
import type { ToolOutcome } from '../../src/domain/tool-calls';
import { reportDue } from '../../src/domain/usage-report';
import { OrchestraStatus } from '../../src/domain/search-attributes';
import { countStatusChange } from './metrics';
import { usageSignal } from '../protocol';
import { signalEach } from '../signal-group';

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

  /** After a step: report to the swarm and the session when it is due (usage-report.ts says when). Whether it did. */
  protected reportIfDue(): boolean {
    const { config, state } = this;
    if (!config.swarmId && !config.sessionId) return false;
    const now = this.usageNow();
    state.reported ??= now;
    const seconds = config.tuning.usageReportSeconds ?? DEFAULT_TUNING.usageReportSeconds;
    // Not awaited: the swarm's bookkeeping must not slow the agent down.
    if (!reportDue(state.reported, now, config.reportEvery, seconds)) return false;
    void this.reportUsage();
    return true;
  }

  private usageNow() {
    const { tokens, toolCalls, status } = this.state;
    return { at: Date.now(), tokens: tokens.input + tokens.output, toolCalls, status };
  }

  /**
   * Tell the swarm and the session this agent works for what it has used: they keep the budgets
   * and totals. At the end, a swarm that started this agent reads the usage from its result
   * (`skipParentSwarm`): one signal and one workflow task fewer per agent.
   */
  protected async reportUsage(opts: { skipParentSwarm?: boolean } = {}): Promise<void> {
    const { swarmId, sessionId, id } = this.config;
    const swarm = swarmId && swarmWorkflowId(swarmId);
    const readsResult = opts.skipParentSwarm && swarm === wf.workflowInfo().parent?.workflowId;
    const owners = [readsResult ? undefined : swarm, sessionId && sessionWorkflowId(sessionId)];
    if (!owners.some(Boolean)) return;
    this.state.reported = this.usageNow();
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
      ...(this.state.progress ? { progress: progressReport(this.state.progress) } : {}),
    };
    // An owner that has already ended needs no report.
    await signalEach(
      owners.filter((o): o is string => Boolean(o)),
      usageSignal,
      report,
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
    const lastIndex = state.conversation.length - 1;
    const last = state.conversation[lastIndex];
    if (last?.role === 'user') {
      const before = JSON.stringify(last).length;
      last.content.push(...blocks);
      state.contextChars = this.contextChars() + JSON.stringify(last).length - before;
      // The model worker holds that message as it was: the next call sends everything again.
      if (state.sent && lastIndex < state.sent.count) state.sent = undefined;
    } else this.addMessage({ role: 'user', content: blocks });
    state.turnEnded = false;
    if (!state.task) state.task = blocks[0].text;
    this.setStatus('running');
  }

  /** Append to the conversation, keeping its size (as JSON) up to date without re-reading it. */
  protected addMessage(message: ConversationMessage): void {
    const chars = this.contextChars();
    this.state.conversation.push(message);
    // `[a]` is 2 + |a|; each message after the first adds a comma.
    this.state.contextChars =
      chars + JSON.stringify(message).length + (this.state.conversation.length > 1 ? 1 : 0);
  }

  /** Characters of the conversation as JSON (what maxContextChars limits). */
  protected contextChars(): number {
    this.state.contextChars ??= JSON.stringify(this.state.conversation).length;
    return this.state.contextChars;
  }

  setTodos(todos: AgentState['todos']): void {
    this.state.todos = todos;
    const progress = this.progress();
    if (progress) afterTodos(progress, todos, Date.now());
  }

  /** A swarm's agent keeps what its calls say of its progress: the swarm may collapse weak branches. */
  private progress(): AgentState['progress'] {
    if (!this.config.swarmId) return undefined;
    return (this.state.progress ??= emptyProgress());
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
    const progress = this.progress();
    if (progress) afterCall(progress, { tool: call.name, input: call.input }, outcome, Date.now());
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
    countStatusChange(from, to);
    // A visibility write on the server: only when the attribute says otherwise.
    if (wf.workflowInfo().typedSearchAttributes.get(OrchestraStatus) !== to)
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
    return statusView(this.config, this.state, wf.workflowInfo().taskQueue);
  }
}
