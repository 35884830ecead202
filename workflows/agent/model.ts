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
  type AgentConfig,
  type AgentEventBody,
  type AgentState,
  type HookManager,
  type ModelReply,
  type ModelTarget,
} from '../../src/domain';
import { activities, IDEMPOTENT_TOOL, modelProfile } from './activities';
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

  private call(target: ModelTarget): Promise<ModelReply> {
    const { config, state, hooks, redact } = this.host;
    const summary = `model call ${state.iterations + 1} · ${target.model}`;
    const profile = { ...modelProfile(config.tuning), taskQueue: modelQueue(wf.workflowInfo().taskQueue) };
    const injected = hooks.inject({ agent: hookAgent(config), files: state.contextFiles ?? [] });
    return activities(profile, summary).callModel({
      agentId: config.id,
      model: target.model,
      ...(target.backend ? { backend: target.backend } : {}),
      system: [config.systemPrompt, ...injected].join('\n\n'),
      messages: state.conversation,
      tools: config.tools,
      temperature: config.temperature,
      maxTokens: config.limits.maxOutputTokens,
      ...(redact ? { redact } : {}),
    });
  }

  /** AGENTS.md and README.md, read once; the context.inject hooks decide what reaches the prompt. */
  private async loadContextFiles(): Promise<void> {
    const { config, state, redact } = this.host;
    if (state.contextFiles) return;
    const settings = config.hooks ?? DEFAULT_HOOK_SETTINGS;
    state.contextFiles = settings.contextFiles
      ? await activities(IDEMPOTENT_TOOL, 'read AGENTS.md and README.md').readContextFiles({
          cwd: config.cwd,
          maxChars: settings.maxContextFileChars,
          ...(redact ? { redact } : {}),
        })
      : [];
  }
}
