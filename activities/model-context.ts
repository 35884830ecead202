/**
 * The conversations a model worker holds, so that a model call carries only what is new
 * since the agent's last call. A worker that does not hold the prefix a call builds on
 * (another worker took the call, or this one restarted) asks the agent for its whole
 * context with the `modelContext` query, once, and checks it against the call's digest.
 */
import { Context } from '@temporalio/activity';
import { ApplicationFailure } from '@temporalio/common';
import {
  chainDigest,
  digestOf,
  EMPTY_DIGEST,
  type ConversationMessage,
  type ModelContext,
  type ModelContextInput,
} from '../src/domain';
import { modelContextQuery } from '../workflows/protocol';
import { SizedLru } from '../src/sized-lru';

interface Held {
  count: number;
  digest: string;
  messages: ConversationMessage[];
  system?: { digest: string; text: string };
}

/** Conversations held per worker, least recently used dropped first. */
export class ContextCache {
  /** By agent, sized by their rough length in characters. */
  private readonly held: SizedLru<Held>;

  /** @param maxChars the conversations' total size this worker keeps (default 256M characters). */
  constructor(maxChars = 256_000_000) {
    this.held = new SizedLru(maxChars);
  }

  /** The whole context of a call: what is held plus what the call brings, or undefined when the base is not held. */
  resolve(agent: string, input: ModelContextInput): ModelContext | undefined {
    const held = this.held.get(agent);
    const system =
      input.system ?? (held?.system?.digest === input.systemDigest ? held.system.text : undefined);
    if (system === undefined) return undefined;
    const base = input.base ?? { count: 0, digest: EMPTY_DIGEST };
    let messages: ConversationMessage[];
    if (base.count === 0) messages = input.messages;
    else if (held && held.count === base.count && held.digest === base.digest)
      messages = [...held.messages, ...input.messages];
    // A retry of a call this worker already took: it holds the whole of it.
    else if (held && held.digest === input.digest) messages = held.messages;
    else return undefined;
    this.keep(agent, { count: messages.length, digest: input.digest, messages, system });
    return { system, messages };
  }

  /** Hold a context fetched from the agent, once it is checked against the call. */
  keep(
    agent: string,
    context: { count: number; digest: string; messages: ConversationMessage[]; system: string },
  ) {
    const chars = context.system.length + context.messages.reduce((n, m) => n + approxChars(m), 0);
    const system = { digest: digestOf(context.system), text: context.system };
    this.held.set(
      agent,
      { count: context.count, digest: context.digest, messages: context.messages, system },
      chars,
    );
  }

  /** Drop an agent's conversation: its last call is answered (a later one would ask the agent for it). */
  forget(agent: string): void {
    this.held.delete(agent);
  }

  get size(): number {
    return this.held.count;
  }
}

function approxChars(m: ConversationMessage): number {
  let n = 16;
  for (const b of m.content) {
    if (b.type === 'text') n += b.text.length;
    else if (b.type === 'tool_result') n += b.content.length;
    else n += 64 + JSON.stringify(b.input ?? null).length;
  }
  return n;
}

/**
 * The whole context of the current model call: from the cache, else from the agent
 * itself (the `modelContext` query of the workflow that scheduled the call).
 */
export async function contextOf(cache: ContextCache, agent: string, input: ModelContextInput) {
  const known = cache.resolve(agent, input);
  if (known) return known;
  const ctx = Context.current();
  const run = ctx.info.workflowExecution;
  if (!run)
    throw ApplicationFailure.nonRetryable('a model call without its agent workflow', 'ModelContextMismatch');
  const whole = await ctx.client.workflow.getHandle(run.workflowId, run.runId).query(modelContextQuery);
  const digest = chainDigest(EMPTY_DIGEST, whole.messages);
  if (digest !== input.digest || digestOf(whole.system) !== input.systemDigest) {
    // The agent moved on (or was reset) since it scheduled this call: let Temporal retry it.
    throw ApplicationFailure.retryable(
      `agent ${agent}: its context does not match the model call (${digest} ≠ ${input.digest})`,
      'ModelContextMismatch',
    );
  }
  cache.keep(agent, { count: whole.messages.length, digest, messages: whole.messages, system: whole.system });
  return whole;
}
