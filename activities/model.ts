/**
 * callModel: one streamed Messages API call, heartbeating, cancellable, retried by Temporal;
 * as a local activity, handed to a queued one when it runs long (activities/model-handoff.ts).
 */
import Anthropic from '@anthropic-ai/sdk';
import { Context } from '@temporalio/activity';
import { countLimited, countModelCall, observeSlotWait, setModelLimit } from './metrics';
import { SpanStatusCode, trace } from '@opentelemetry/api';
import { ApplicationFailure } from '@temporalio/common';
import {
  callCost,
  DEFAULT_PRICES,
  isModelQueue,
  priceFor,
  redactDeep,
  redactSecrets,
  type PriceTable,
  ModelFailure,
  modelProgress,
  toolDefinition,
  type HandedOff,
  type ModelContextInput,
  type ModelReply,
  type StopReason,
  type TextBlock,
  type ToolName,
  type ToolUseBlock,
} from '../src/domain';
import { classifyModelError, limiterOutcome } from './model-errors';
import { ContextCache, contextOf } from './model-context';
import { within } from '../src/within';
import { HandedOffCalls, type CallProgress, type InFlightCall } from './model-handoff';
import { ModelLimiter } from './model-limiter';
import type { FleetRate } from './fleet-rate';

/** Model calls at once per worker, unless ORCHESTRA_MODEL_CONCURRENCY says otherwise. */
export const DEFAULT_MODEL_CONCURRENCY = 100;

export interface CallModelInput {
  agentId: string;
  model: string;
  /** A backend named in the config file; absent: the default endpoint. */
  backend?: string;
  /** Secret patterns to redact from the reply, when the redactor is on. */
  redact?: { patterns: string[] };
  /** The system prompt and the conversation: only what is new since the agent's last call. */
  context: ModelContextInput;
  tools: ToolName[];
  /**
   * The agent ends when this call ends its turn (it is not interactive): a reply without tool
   * calls is its last, and the worker drops the conversation it holds for it.
   */
  endsWithTurn?: boolean;
  temperature?: number;
  maxTokens: number;
  /** A local call still running after this many ms is handed off (activities/model-handoff.ts)... */
  handoffAfterMs?: number;
  /** ...under this id, */
  callId?: string;
  /** ...which the queued call that adopts it names. */
  adopt?: string;
}

/** How often a queued call reports its progress (the SDK sends at most one a second). */
const HEARTBEAT_MS = 500;

export interface ModelEndpoint {
  apiKey?: string;
  baseURL?: string;
}

export interface ModelDeps {
  /** The default endpoint (ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL). */
  endpoint: ModelEndpoint;
  /** Other Anthropic-compatible endpoints by name (the config file's backends). */
  backends?: Record<string, ModelEndpoint>;
  /** Prices per model: the built-in table with the config file's over it. */
  prices?: PriceTable;
  /** The conversations this worker holds (one per worker; tests pass their own). */
  contexts?: ContextCache;
  /** This worker's model limits: local calls keep them too (the model queue keeps them for the rest). */
  modelLimits?: { concurrency?: number; callsPerMinute?: number };
  /** Calls handed from local activities to queued ones (one per worker; tests pass their own). */
  handedOff?: HandedOffCalls;
  /** The worker's model-call limiter (one per worker): built from `modelLimits` when absent. */
  limiter?: ModelLimiter;
}

/**
 * The worker's limiter: AIMD on `modelLimits.concurrency`, its 429s, 529s and limit counted for
 * Prometheus; with a fleet rate, its 429s and replies adapt that too.
 */
export function createModelLimiter(modelLimits: ModelDeps['modelLimits'], fleet?: FleetRate): ModelLimiter {
  return new ModelLimiter({
    max: modelLimits?.concurrency ?? DEFAULT_MODEL_CONCURRENCY,
    observe: {
      limited: (status) => {
        countLimited(status);
        fleet?.limited(status);
      },
      limit: setModelLimit,
      ...(fleet ? { replied: () => fleet.replied() } : {}),
    },
  });
}

export function createCallModel(deps: ModelDeps) {
  const clients = new Map<string, Anthropic>();
  const getClient = (backend: string | undefined): Anthropic => {
    const endpoint = backend === undefined ? deps.endpoint : deps.backends?.[backend];
    if (!endpoint) {
      const known = Object.keys(deps.backends ?? {}).join(', ') || 'none';
      throw ApplicationFailure.nonRetryable(
        `no backend "${backend}" on this worker (known: ${known}); add it to the config file's backends`,
        ModelFailure.rejected,
      );
    }
    if (!endpoint.apiKey) {
      throw ApplicationFailure.nonRetryable(
        backend === undefined
          ? 'no ANTHROPIC_API_KEY: set it, or point ANTHROPIC_BASE_URL at the scripted server'
          : `no API key for backend "${backend}": set the variable its apiKeyEnv names`,
        ModelFailure.rejected,
      );
    }
    const key = backend ?? '';
    let client = clients.get(key);
    // Temporal owns retries; the SDK's would stack on top of them.
    if (!client) {
      client = new Anthropic({ apiKey: endpoint.apiKey, baseURL: endpoint.baseURL, maxRetries: 0 });
      clients.set(key, client);
    }
    return client;
  };
  const prices = deps.prices ?? DEFAULT_PRICES;
  const contexts = deps.contexts ?? new ContextCache();
  const limiter = deps.limiter ?? createModelLimiter(deps.modelLimits);
  const fleetLimited = (deps.modelLimits?.callsPerMinute ?? 0) > 0;

  const handedOff = deps.handedOff ?? new HandedOffCalls();

  const tracer = trace.getTracer('orchestra');
  const modelAttributes = (input: CallModelInput) => ({
    'gen_ai.system': 'anthropic',
    'gen_ai.request.model': input.model,
    'orchestra.agent_id': input.agentId,
  });

  /** Start a call; it runs until it ends or is aborted, whoever waits for it. */
  const start = (input: CallModelInput, attempt: number): InFlightCall => {
    const controller = new AbortController();
    const progress: CallProgress = { received: 0, text: '' };
    // One span per call (a no-op unless tracing is on: src/tracing.ts), under the activity's.
    const reply = tracer.startActiveSpan('model.call', { attributes: modelAttributes(input) }, (span) =>
      call().then(
        (r) => {
          span.setAttributes({
            'gen_ai.usage.input_tokens': r.usage.input,
            'gen_ai.usage.output_tokens': r.usage.output,
          });
          span.end();
          return r;
        },
        (err: unknown) => {
          span.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error)?.message });
          span.end();
          throw err;
        },
      ),
    );
    async function call(): Promise<ModelReply> {
      const anthropic = getClient(input.backend);
      const { system, messages } = await contextOf(contexts, input.agentId, input.context);
      // Local calls and queued ones share this worker's limiter (activities/model-limiter.ts).
      const asked = performance.now();
      const release = await limiter.take(controller.signal);
      const started = performance.now();
      observeSlotWait(started - asked);
      try {
        const stream = anthropic.messages.stream(
          {
            model: input.model,
            system,
            max_tokens: input.maxTokens,
            messages: messages as Anthropic.MessageParam[],
            // An agent without tools (a judge) sends none: the API refuses an empty list.
            ...(input.tools.length ? { tools: input.tools.map(toolDefinition) as Anthropic.Tool[] } : {}),
            ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
          },
          { signal: controller.signal },
        );
        stream.on('streamEvent', () => {
          progress.received += 1;
        });
        stream.on('text', (delta) => {
          progress.text += delta;
        });
        const message = await stream.finalMessage();
        const reply = toReply(message, prices, attempt);
        // The agent's last call: finished agents' conversations would stay until the cache's bound.
        if (input.endsWithTurn && !reply.content.some((b) => b.type === 'tool_use'))
          contexts.forget(input.agentId);
        reply.durationMs = Math.round(performance.now() - started);
        countModelCall(input.model, 'ok', { ...reply.usage, costUsd: reply.costUsd ?? 0 });
        release({ kind: 'ok' });
        return input.redact ? redactReply(reply, input.redact.patterns) : reply;
      } catch (err) {
        if (controller.signal.aborted) throw controller.signal.reason;
        release(limiterOutcome(err));
        countModelCall(input.model, 'error');
        throw classifyModelError(err);
      } finally {
        release(); // a cancelled call: neither slows the limiter nor climbs (a no-op after the above)
      }
    }
    return { reply, progress, abort: (reason) => controller.abort(reason) };
  };

  return async function callModel(input: CallModelInput): Promise<ModelReply | HandedOff> {
    const ctx = Context.current();
    if (fleetLimited && (ctx.info.isLocal || !isModelQueue(ctx.info.taskQueue))) {
      // The fleet's calls per minute are counted by the server, on the model queue only.
      throw ApplicationFailure.nonRetryable(
        'this worker keeps a fleet-wide model rate limit',
        ModelFailure.notLocal,
      );
    }
    // Adopt the call a local activity of this agent handed off, when this worker holds it.
    const call = (input.adopt && handedOff.adopt(input.adopt)) || start(input, ctx.info.attempt);
    // Beat while waiting for a slot and the first byte too: a lost worker is noticed promptly.
    // A local call has no heartbeat: the workflow task it runs in stands for it.
    const beat = ctx.info.isLocal
      ? undefined
      : setInterval(
          () => ctx.heartbeat(modelProgress(call.progress.received, call.progress.text)),
          HEARTBEAT_MS,
        );
    const cancel = () => call.abort(ctx.cancellationSignal.reason);
    if (ctx.cancellationSignal.aborted) cancel();
    else ctx.cancellationSignal.addEventListener('abort', cancel, { once: true });
    try {
      const { handoffAfterMs, callId } = input;
      if (!ctx.info.isLocal || handoffAfterMs === undefined || callId === undefined) return await call.reply;
      const reply = await within(call.reply, handoffAfterMs);
      if (reply) return reply;
      // Still running: it outlives this activity (no longer cancelled with it), for the queued one that adopts it.
      handedOff.handOff(callId, call);
      return { handedOff: callId };
    } finally {
      clearInterval(beat);
      ctx.cancellationSignal.removeEventListener('abort', cancel);
    }
  };
}

function toReply(message: Anthropic.Message, prices: PriceTable, attempt: number): ModelReply {
  const content: Array<TextBlock | ToolUseBlock> = [];
  for (const block of message.content) {
    if (block.type === 'text') content.push({ type: 'text', text: block.text });
    else if (block.type === 'tool_use') {
      content.push({ type: 'tool_use', id: block.id, name: block.name, input: block.input });
    }
  }
  const tokens = {
    input: message.usage.input_tokens,
    output: message.usage.output_tokens,
    cacheWrite: message.usage.cache_creation_input_tokens ?? 0,
    cacheRead: message.usage.cache_read_input_tokens ?? 0,
  };
  const price = priceFor(message.model, prices);
  return {
    content,
    stopReason: (message.stop_reason as StopReason | null) ?? null,
    usage: { input: tokens.input, output: tokens.output },
    cache: { write: tokens.cacheWrite, read: tokens.cacheRead },
    model: message.model,
    costUsd: price ? callCost(tokens, price) : 0,
    priced: price !== undefined,
    attempt,
  };
}

/** The reply with secrets replaced, before it reaches the history. */
function redactReply(reply: ModelReply, patterns: string[]): ModelReply {
  const content = reply.content.map((block) =>
    block.type === 'text'
      ? { ...block, text: redactSecrets(block.text, patterns).text }
      : { ...block, input: redactDeep(block.input, patterns).value },
  );
  return { ...reply, content };
}
