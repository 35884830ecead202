/**
 * One agent's life: model call → tools → repeat until the model ends its turn, with
 * pause, resume, cancel and messages taking effect at step boundaries.
 */
import * as wf from '@temporalio/workflow';
import type { AgentResult } from '../../src/domain/agent';
import { limitReached } from '../../src/domain/agent-limits';
import { currentDetails } from '../../src/domain/agent-report';
import { afterStep, type AgentInput } from '../../src/domain/agent-state';
import { preview } from '../../src/domain/events';
import { DEFAULT_HOOK_SETTINGS, type SessionEvent } from '../../src/domain/hook-settings';
import { buildHooks, type HookManager } from '../../src/domain/hooks';
import { type ModelReply, textOf, toolUsesOf } from '../../src/domain/messages';
import { resolvePolicy, type ToolPolicy } from '../../src/domain/policy';
import type { ToolOutcome } from '../../src/domain/tool-calls';
import type { ToolArgs } from '../../src/domain/tools';
import { sendMessage } from './messaging';
import { Subagents } from './subagents';
import { runToolCalls, type ToolHost } from './tools';
import { AgentCore } from './core';
import { Approvals } from './approvals';
import { hookAgent } from './gate';
import { LimitReached, Spending } from './spending';
import { ModelCalls, ModelRejected } from './model';
import { checkpoint, checkpointAfterStep, continueAsNewIfLong, type ContinueHost } from './boundary';
import { installAgentControl } from './control';
import { recordUnknownSignals } from '../control-handlers';
import { installAgentQueries } from './queries';
import { waitForWork, WallClock, wallClockSeconds } from './timeouts';

/** How long a cancelled agent waits for the caller's cancel through Temporal (see `cancelled`). */
const TEMPORAL_CANCEL_WAIT = '10 seconds';

export class AgentRun extends AgentCore implements ToolHost {
  /** The scope of the step in flight, so a cancel signal can cancel its activities. */
  private stepScope?: wf.CancellationScope;
  /** An Update was taken and its caller waits for this workflow task to complete. */
  private answerOwed = false;
  /** Set by a successful handoff: the turn ends with this as the result. */
  private handedOff?: string;
  /** maxWallClockSeconds: once it has run out, the agent fails with its reason. */
  private readonly wallClock = new WallClock();
  readonly subagents: Subagents;
  readonly hooks: HookManager;
  readonly policy: ToolPolicy;
  readonly approvals: Approvals;
  private readonly spending: Spending;
  private readonly model: ModelCalls;
  private readonly boundary: ContinueHost;
  readonly redact?: { patterns: string[] };

  constructor(input: AgentInput) {
    super(input);
    const settings = input.config.hooks ?? DEFAULT_HOOK_SETTINGS;
    this.hooks = buildHooks(settings);
    this.policy = input.config.policy ?? resolvePolicy();
    if (settings.redactSecrets) this.redact = { patterns: settings.secretPatterns };
    const host = {
      config: input.config,
      state: this.state,
      policy: this.policy,
      record: (body: Parameters<AgentCore['record']>[0]) => this.record(body),
      setStatus: (to: Parameters<AgentCore['setStatus']>[0], reason?: string) => this.setStatus(to, reason),
      ending: () => this.cancelRequested() || this.wallClock.ranOut !== undefined,
    };
    this.approvals = new Approvals(host);
    this.spending = new Spending({ ...host, approvals: this.approvals });
    this.model = new ModelCalls({ ...host, hooks: this.hooks, redact: this.redact });
    this.boundary = { ...host, input, flush: () => this.spending.flush() };
    this.subagents = new Subagents(input.config, this.state.subagents, this.state.children, {
      spawned: (child) =>
        this.record({ type: 'spawned', agentId: child.id, name: child.name, parentId: child.parentId }),
      finished: (totals) => this.addDescendantUsage(totals),
      notify: (text, from) =>
        this.enqueue(text, { type: 'message', role: 'user', text: preview(text), from, kind: 'result' }),
    });
  }

  installHandlers(): void {
    installAgentControl({
      config: this.config,
      state: this.state,
      record: (body) => this.record(body),
      setStatus: (to, reason) => this.setStatus(to, reason),
      enqueue: (text, event) => this.enqueue(text, event),
      propagate: (action, payload) => this.subagents.propagate(action, payload),
      cancelStep: () => this.stepScope?.cancel(),
      answered: () => void (this.answerOwed = true),
    });
    this.approvals.installHandlers(() => void (this.answerOwed = true));
    installAgentQueries({ state: this.state, view: () => this.view(), system: () => this.model.system() });
    const ignored = (signal: string, reason: string) => this.record({ type: 'ignored', signal, reason });
    // A supervisor whose swarm runs its workers hears from it how each ended (swarm-workers.ts).
    this.subagents.installHandlers(ignored);
    recordUnknownSignals(ignored);
  }

  async run(): Promise<AgentResult> {
    this.model.begin();
    this.wallClock.start(wallClockSeconds(this.input), this.state.startedAt, () => this.stepScope?.cancel());
    try {
      if (!this.input.state) {
        if (this.input.task) this.enqueue(this.input.task, { type: 'task', task: preview(this.input.task) });
        this.sessionHooks('session.created');
      }
      const result = await this.loop().finally(() => this.wallClock.stop());
      await this.settleAccounts({ resultCarriesUsage: true });
      return result;
    } catch (err) {
      if (wf.isCancellation(err)) {
        // Cancelled through Temporal itself: record it, then let the run end as Canceled.
        await wf.CancellationScope.nonCancellable(async () => {
          this.setStatus('cancelled', this.state.cancel?.reason ?? 'cancelled through Temporal');
          await this.settleAccounts({ resultCarriesUsage: false });
        });
        throw err;
      }
      const reason =
        err instanceof LimitReached || err instanceof ModelRejected
          ? err.message
          : err instanceof wf.ActivityFailure
            ? (err.cause?.message ?? err.message)
            : undefined;
      if (reason === undefined) throw err;
      const failure = this.fail(reason);
      this.sessionHooks('session.error');
      // The failure's details carry the result.
      await this.settleAccounts({ resultCarriesUsage: true });
      throw failure;
    }
  }

  private async loop(): Promise<AgentResult> {
    for (;;) {
      const idle = await waitForWork(this.state, this.config.limits, () => this.mustAct());
      if (this.cancelRequested()) return this.cancelled();
      if (this.wallClock.ranOut) throw new LimitReached(this.wallClock.ranOut);
      if (idle) return this.finish('cancelled', idle);
      if (this.state.inbox.length > 0) this.deliverInbox();
      else if (this.state.turnEnded) {
        // A session.idle hook (the todo check) may send the agent back to work.
        if (this.sessionHooks('session.idle')) {
          this.state.sentBack += 1;
          continue;
        }
        if (this.config.type !== 'interactive') {
          // Not while background subagents run (their finish message is the next turn); no await without them.
          const { children } = this.subagents;
          const ended = () =>
            this.cancelRequested() || !!this.wallClock.ranOut || this.state.inbox.length > 0;
          if (children.running().length && (await children.untilOneEnds(ended))) continue;
          return this.finish('completed');
        }
        this.setStatus('waiting_for_input');
        continue;
      }
      // An Update's caller hears back when the workflow task completes; a run of local steps
      // (a resumed agent's next model call) would hold it for their whole length.
      if (this.answerOwed) {
        this.answerOwed = false;
        await checkpoint(this.state);
      }
      if (await this.cancellable(() => this.step())) return this.cancelled();
      const reported = this.reportIfDue();
      wf.setCurrentDetails(currentDetails(this.config, this.state));
      // A turn that ended completes the workflow task anyway (the agent ends or waits for input).
      if (!this.state.turnEnded) await checkpointAfterStep(this.state, reported && !!this.config.reportEvery);
      await continueAsNewIfLong(this.boundary);
    }
  }

  /** At the end: the last batch charged, the last usage reported. */
  private async settleAccounts(end: { resultCarriesUsage: boolean }): Promise<void> {
    // Both wait for other workflows (the ledgers, the owners): at once.
    await Promise.all([
      this.spending.flush({ atEnd: true }),
      this.reportUsage(end.resultCarriesUsage ? { skipParentSwarm: true } : {}),
    ]);
  }

  /**
   * The end of a cancelled agent. Cancelled by the CLI or the API, the caller cancels the
   * workflow through Temporal right after: wait for that (bounded), so the run ends as
   * Canceled in Temporal, as `run` ends one cancelled that way; else, or by a bare signal,
   * the run completes with status `cancelled`.
   */
  private async cancelled(): Promise<AgentResult> {
    const { cancel } = this.state;
    if (cancel?.temporalCancelFollows) {
      this.setStatus('cancelled', cancel.reason);
      await wf.sleep(TEMPORAL_CANCEL_WAIT);
    }
    return this.finish('cancelled', cancel?.reason);
  }

  private cancelRequested(): boolean {
    return this.state.cancel !== undefined;
  }

  /** Something for the loop to act on: a cancel, the wall clock, or work (none while paused). */
  private mustAct(): boolean {
    const { status, inbox } = this.state;
    if (this.cancelRequested() || this.wallClock.ranOut) return true;
    return status !== 'paused' && (inbox.length > 0 || status === 'running');
  }

  /** One model call and the tools it asks for. */
  private async step(): Promise<void> {
    this.checkLimits();
    await this.spending.enforce();
    const { state } = this;
    const charsBefore = this.contextChars();
    const reply = await this.model.next();
    state.iterations += 1;
    state.tokens.input += reply.usage.input;
    state.tokens.output += reply.usage.output;
    // The charge runs while the tools do; the next step's budget check needs it, so the step awaits it.
    const charging = this.spending.charge(reply);
    try {
      await this.afterReply(reply);
    } finally {
      await charging;
    }
    const { ranLocally: local } = this.model;
    state.local = afterStep(state.local, {
      local,
      modelMs: reply.durationMs ?? 0,
      chars: this.contextChars() - charsBefore,
    });
  }

  /** Record the reply and run the tools it asks for. */
  private async afterReply(reply: ModelReply): Promise<void> {
    const { config, state } = this;
    this.record({
      type: 'tokens',
      ...reply.usage,
      totalInput: state.tokens.input,
      totalOutput: state.tokens.output,
      model: reply.model,
      costUsd: reply.costUsd ?? 0,
      totalCostUsd: state.costUsd,
    });
    if ((reply.attempt ?? 1) > 1) this.sessionHooks('session.recovered');
    const text = textOf(reply.content);
    if (text) this.record({ type: 'message', role: 'assistant', text: preview(text) });
    if (reply.content.length > 0) this.addMessage({ role: 'assistant', content: reply.content });
    const calls = toolUsesOf(reply.content);
    if (calls.length === 0) {
      state.turnEnded = true;
      state.result = text;
      return;
    }
    const { maxToolCalls } = config.limits;
    if (state.toolCalls + calls.length > maxToolCalls) {
      throw new LimitReached(
        `limit reached: maxToolCalls (${maxToolCalls}); the model asked for ${calls.length} more`,
      );
    }
    state.toolCalls += calls.length;
    // The Web UI's details stay current while the tools run (a value the worker keeps, not a history event).
    wf.setCurrentDetails(currentDetails(this.config, state));
    const results = await runToolCalls(calls, this);
    this.addMessage({ role: 'user', content: results });
    if (this.handedOff) {
      state.turnEnded = true;
      state.result = this.handedOff;
      this.handedOff = undefined;
    }
  }

  /** Run the hooks of a session event; true when one of them queued a message for the agent. */
  private sessionHooks(event: SessionEvent): boolean {
    const { state } = this;
    const results = this.hooks.session({
      agent: hookAgent(this.config),
      event,
      todos: state.todos,
      result: state.result,
      error: state.error,
      sentBack: state.sentBack,
    });
    let sent = false;
    for (const r of results) {
      if (r.note) this.noteHook(r.hook, event, r.note);
      if (r.message && event !== 'session.error') {
        this.enqueue(r.message, {
          type: 'message',
          role: 'user',
          text: preview(r.message),
          from: `hook:${r.hook}`,
        });
        sent = true;
      }
    }
    return sent;
  }

  noteHook(hook: string, event: string, note: string): void {
    this.record({ type: 'hook', hook, event, note });
  }

  noteDenied(callId: string, tool: string, reason: string): void {
    this.record({ type: 'denied', callId, tool, reason });
  }

  private checkLimits(): void {
    // The wall clock may have run out between steps (a checkpoint), with no step to cancel.
    if (this.wallClock.ranOut) throw new LimitReached(this.wallClock.ranOut);
    const { iterations, tokens } = this.state;
    const reached = limitReached(this.config.limits, {
      iterations,
      tokens,
      contextChars: this.contextChars(),
    });
    if (reached) throw new LimitReached(reached);
  }

  /** Run `fn` in a scope the cancel signal (true when it did) or the wall clock (LimitReached) can cancel. */
  private async cancellable(fn: () => Promise<void>): Promise<boolean> {
    this.stepScope = new wf.CancellationScope();
    try {
      await this.stepScope.run(fn);
      return false;
    } catch (err) {
      if (wf.isCancellation(err) && this.cancelRequested()) return true;
      if (wf.isCancellation(err) && this.wallClock.ranOut) throw new LimitReached(this.wallClock.ranOut);
      throw err;
    } finally {
      this.stepScope = undefined;
    }
  }

  /** Hand the task to another agent; this agent's turn ends after this step's tools. */
  async handoff(args: ToolArgs<'handoff'>): Promise<ToolOutcome> {
    const content = `${this.config.id} hands its task over to you.\n\nThe task:\n${this.state.task}\n\nTheir note:\n${args.note}`;
    const sent = await sendMessage(this.config, args.to, { content, kind: 'handoff' });
    if (sent.ok) this.handedOff = `handed off to ${args.to}: ${args.note}`;
    return sent;
  }
}
