/**
 * The agent's model calls: the prompt (system prompt plus what the context.inject hooks
 * add from the project's files), the primary model, and the fallback once the primary
 * stayed overloaded past its retries.
 */
import * as wf from '@temporalio/workflow';
import { DEFAULT_TUNING, type AgentConfig } from '../../src/domain/agent';
import type { AgentState } from '../../src/domain/agent-state';
import type { AgentEventBody } from '../../src/domain/events';
import { ModelFailure, type RetryAfter } from '../../src/domain/failures';
import { DEFAULT_HOOK_SETTINGS } from '../../src/domain/hook-settings';
import type { HookManager } from '../../src/domain/hooks';
import type { HandedOff, ModelReply } from '../../src/domain/messages';
import { nextContext, type ModelContextInput } from '../../src/domain/model-context';
import { modelQueue } from '../../src/domain/queues';
import type { ModelTarget } from '../../src/domain/routing';
import type { CallModelInput } from '../../activities/model';
import {
  activities,
  LOCAL_MODEL,
  LOCAL_READ,
  localActivities,
  MODEL_FIRST_BACKOFF,
  modelProfile,
} from './activity-options';
import { hookAgent } from './gate';

/** The activity's own failure: a queued one's comes wrapped in an ActivityFailure, a local one's may not. */
function applicationFailure(err: unknown): wf.ApplicationFailure | undefined {
  const cause = err instanceof wf.ActivityFailure ? err.cause : err;
  return cause instanceof wf.ApplicationFailure ? cause : undefined;
}

function isFailure(err: unknown, type: string): boolean {
  return applicationFailure(err)?.type === type;
}

/**
 * What a failure asks to wait before the next attempt (a rate limit's retry-after), if anything:
 * from its details, since a local activity's failure reaches workflow code without `nextRetryDelay`.
 */
function retryDelay(err: unknown): number | undefined {
  const ms = (applicationFailure(err)?.details?.[0] as RetryAfter | undefined)?.retryAfterMs;
  return typeof ms === 'number' && ms >= 0 ? ms : undefined;
}

/** A local model call the API refused (a queued one's refusal is its ActivityFailure): the agent fails. */
export class ModelRejected extends Error {}

export interface ModelHost {
  readonly config: AgentConfig;
  readonly state: AgentState;
  readonly hooks: HookManager;
  readonly redact?: { patterns: string[] };
  record(body: AgentEventBody): void;
}

export class ModelCalls {
  /** Whether the last call ran as a local activity (the fast path) rather than through the queue. */
  ranLocally = false;
  /** Agents started before the handoff existed sent their first call to the queue. */
  private firstCallLocal = false;

  constructor(private readonly host: ModelHost) {}

  /** The next call: on the primary model, or on the fallback once the agent moved there. */
  async next(): Promise<ModelReply> {
    await this.loadContextFiles();
    const { config, state } = this.host;
    const primary: ModelTarget = {
      model: config.model,
      ...(config.backend ? { backend: config.backend } : {}),
    };
    if (state.onFallback && config.fallback) return this.call(config.fallback);
    try {
      return await this.call(primary);
    } catch (err) {
      const overloaded = isFailure(err, ModelFailure.overloaded);
      if (!overloaded || !config.fallback || wf.isCancellation(err)) throw err;
      state.onFallback = true;
      const reason = (err as wf.ActivityFailure).cause?.message ?? 'overloaded';
      this.host.record({ type: 'model_fallback', from: config.model, to: config.fallback.model, reason });
      wf.log.warn(`agent ${config.id}: ${config.model} stayed overloaded; using ${config.fallback.model}`);
      return this.call(config.fallback);
    }
  }

  /** The system prompt: the agent's own, and what the context.inject hooks add. */
  system(): string {
    const { config, state, hooks } = this.host;
    const injected = hooks.inject({ agent: hookAgent(config), files: state.contextFiles ?? [] });
    return [config.systemPrompt, ...injected].join('\n\n');
  }

  private async call(target: ModelTarget): Promise<ModelReply> {
    const { config, state, redact } = this.host;
    const summary = `model call ${state.iterations + 1} · ${target.model}`;
    const system = this.system();
    const request = {
      agentId: config.id,
      model: target.model,
      ...(target.backend ? { backend: target.backend } : {}),
      tools: config.tools,
      // A reply that ends its turn ends the agent (but for a session.idle hook sending it back).
      ...(config.type === 'interactive' ? {} : { endsWithTurn: true }),
      temperature: config.temperature,
      maxTokens: config.limits.maxOutputTokens,
      ...(redact ? { redact } : {}),
    };
    // A short call runs locally; one that runs long is handed to a queued call, which adopts it.
    const tried = this.runsLocally();
    const local = tried ? await this.local({ ...request, system }, summary) : undefined;
    if (local && !('handedOff' in local)) return local;
    // A local call that failed was the first attempt.
    const attemptsUsed = tried && !local ? 1 : 0;
    // Only what is new since the last call travels (and lands in the history).
    const context = nextContext(state.conversation, system, state.sent);
    const queue = wf.workflowInfo().taskQueue;
    if (!state.localModelOff) {
      // On the agent's own queue, the server hands the call straight back to this worker with
      // the completed workflow task (eager dispatch): no poll, no matching.
      try {
        const adopt = local ? { adopt: local.handedOff } : {};
        return await this.queued(queue, { ...request, context, ...adopt }, summary, attemptsUsed);
      } catch (err) {
        if (!isFailure(err, ModelFailure.notLocal)) throw err;
        state.localModelOff = true;
      }
    }
    return this.queued(modelQueue(queue), { ...request, context }, summary, attemptsUsed);
  }

  /**
   * The call as a local activity: its reply; or, when it runs past the limit, the id a queued
   * call adopts it by; or undefined when it failed, to be retried as a queued call.
   */
  private async local(
    request: Omit<CallModelInput, 'context'> & { system: string },
    summary: string,
  ): Promise<ModelReply | HandedOff | undefined> {
    const { state } = this.host;
    const { system, ...rest } = request;
    // A local activity's input never reaches the history: it carries the whole context.
    // Its digest builds on the last one (only the new messages are hashed); the worker holds it all after.
    const next = nextContext(state.conversation, system, state.sent);
    const context = { ...next, base: undefined, messages: state.conversation, system };
    try {
      const result = await localActivities(LOCAL_MODEL, summary).callModel({
        ...rest,
        context,
        handoffAfterMs: this.localLimit(),
        callId: wf.uuid4(),
      });
      if ('handedOff' in result) return result;
      this.ranLocally = true;
      return this.sent(result, next);
    } catch (err) {
      if (wf.isCancellation(err)) throw err;
      // A request the API refuses fails the agent, wherever it ran.
      if (isFailure(err, ModelFailure.rejected)) throw new ModelRejected((err as Error).message);
      if (isFailure(err, ModelFailure.notLocal)) state.localModelOff = true;
      // Any other failure: retried as a queued call, with backoff and heartbeats, after the wait
      // the API asked for (retry-after) or the queued call's own first backoff.
      else await wf.sleep(retryDelay(err) ?? MODEL_FIRST_BACKOFF);
      return undefined;
    }
  }

  private async queued(
    taskQueue: string,
    input: CallModelInput,
    summary: string,
    attemptsUsed: number,
  ): Promise<ModelReply> {
    const profile = modelProfile(this.host.config.tuning, attemptsUsed);
    // Only a local call is ever handed off.
    const reply = (await activities({ ...profile, taskQueue }, summary).callModel(input)) as ModelReply;
    this.ranLocally = false;
    // Attempts count from the local one, so a recovery after it is seen as one (session.recovered).
    const attempt = (reply.attempt ?? 1) + attemptsUsed;
    return this.sent(attemptsUsed ? { ...reply, attempt } : reply, input.context);
  }

  /**
   * The fast path: the last call was short, so this one likely is too. An agent's first call
   * starts locally too (agents started before the handoff existed sent it to the queue).
   */
  private runsLocally(): boolean {
    const { state } = this.host;
    if (state.localModelOff || this.localLimit() <= 0) return false;
    if (state.lastModelMs === undefined) return this.firstCallLocal;
    return state.lastModelMs < this.localLimit();
  }

  /** At the run's start, before any command: whether a first call may start locally (a patch marker, so asked once, in place). */
  begin(): void {
    if (this.host.state.lastModelMs === undefined) this.firstCallLocal = wf.patched('first-model-call-local');
  }

  private localLimit(): number {
    return this.host.config.tuning.localModelCallMs ?? DEFAULT_TUNING.localModelCallMs;
  }

  /** Note what the model worker now holds, and how long the call took. */
  private sent(reply: ModelReply, context: ModelContextInput): ModelReply {
    const { state } = this.host;
    state.sent = {
      count: state.conversation.length,
      digest: context.digest,
      systemDigest: context.systemDigest,
    };
    state.lastModelMs = reply.durationMs;
    return reply;
  }

  /** AGENTS.md and README.md, read once; the context.inject hooks decide what reaches the prompt. */
  private async loadContextFiles(): Promise<void> {
    const { config, state, redact } = this.host;
    if (state.contextFiles) return;
    const settings = config.hooks ?? DEFAULT_HOOK_SETTINGS;
    state.contextFiles = settings.contextFiles
      ? await localActivities(LOCAL_READ, 'read AGENTS.md and README.md').readContextFiles({
          cwd: config.cwd,
          maxChars: settings.maxContextFileChars,
          ...(redact ? { redact } : {}),
        })
      : [];
  }
}
