/**
 * The agent's model calls: the prompt (system prompt plus what the context.inject hooks
 * add from the project's files), the primary model, and the fallback once the primary
 * stayed overloaded past its retries.
 */
import * as wf from '@temporalio/workflow';
import {
  DEFAULT_HOOK_SETTINGS,
  ModelFailure,
  modelQueue,
  nextContext,
  type AgentConfig,
  type AgentEventBody,
  type AgentState,
  type HookManager,
  type ModelReply,
  type ModelTarget,
} from '../../src/domain';
import { activities, LOCAL_READ, localActivities, modelProfile } from './activities';
import { hookAgent } from './gate';

export interface ModelHost {
  readonly config: AgentConfig;
  readonly state: AgentState;
  readonly hooks: HookManager;
  readonly redact?: { patterns: string[] };
  record(body: AgentEventBody): void;
}

export class ModelCalls {
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
      const overloaded =
        err instanceof wf.ActivityFailure &&
        err.cause instanceof wf.ApplicationFailure &&
        err.cause.type === ModelFailure.overloaded;
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
    const profile = { ...modelProfile(config.tuning), taskQueue: modelQueue(wf.workflowInfo().taskQueue) };
    // Only what is new since the last call travels (and lands in the history).
    const context = nextContext(state.conversation, this.system(), state.sent);
    const reply = await activities(profile, summary).callModel({
      agentId: config.id,
      model: target.model,
      ...(target.backend ? { backend: target.backend } : {}),
      context,
      tools: config.tools,
      temperature: config.temperature,
      maxTokens: config.limits.maxOutputTokens,
      ...(redact ? { redact } : {}),
    });
    state.sent = {
      count: state.conversation.length,
      digest: context.digest,
      systemDigest: context.systemDigest,
    };
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
