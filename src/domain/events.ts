/**
 * Event logs: sequence-numbered, bounded, carried across continue-as-new. Agents and
 * swarms each keep one; the API streams them, resuming by sequence number.
 */
import { eventsQueryArgs } from './protocol-payloads';
import type { AgentStatus } from './status';
import type { ScoreComponents } from './collapse';
import type { Landing } from './swarm-outcome';
import { describeIssue } from './zod-error';

export type AgentEventBody =
  /** This agent started (its own first event), or it started a subagent. */
  | { type: 'spawned'; agentId: string; name: string; parentId?: string }
  | { type: 'status'; from: AgentStatus; to: AgentStatus; reason?: string }
  | { type: 'task'; task: string }
  | { type: 'message'; role: 'user' | 'assistant'; text: string; from?: string; kind?: string }
  | { type: 'tool_call'; callId: string; tool: string; input: unknown }
  | { type: 'tool_result'; callId: string; tool: string; ok: boolean; output: string }
  | {
      type: 'tokens';
      input: number;
      output: number;
      totalInput: number;
      totalOutput: number;
      /** USD of this call and of the agent's calls so far. */
      costUsd?: number;
      totalCostUsd?: number;
      model?: string;
    }
  | { type: 'approval_requested'; callId: string; kind: 'tool' | 'budget'; tool: string; reason: string }
  | {
      type: 'approval_answered';
      callId: string;
      decision: 'allow' | 'deny';
      by: 'person' | 'timeout';
      user?: string;
      note?: string;
    }
  | { type: 'denied'; callId: string; tool: string; reason: string }
  | { type: 'hook'; hook: string; event: string; note: string }
  | {
      type: 'budget';
      level: 'agent' | 'session' | 'day';
      state: 'warning' | 'reached';
      spentUsd: number;
      limitUsd: number;
    }
  | { type: 'model_fallback'; from: string; to: string; reason: string }
  | { type: 'ignored'; signal: string; reason: string }
  | { type: 'continued_as_new'; historyLength: number };

/** What every logged event carries: its place in the log and when it happened. */
export type Logged<B> = B & { seq: number; at: string };
export type AgentEvent = Logged<AgentEventBody>;

/** A swarm's own story: its agents coming and going, their status and spending. */
export type SwarmEventBody =
  | { type: 'spawned'; agentId: string; name: string; role: string }
  | { type: 'agent_status'; agentId: string; to: AgentStatus; error?: string }
  | {
      type: 'tokens';
      agentId: string;
      input: number;
      output: number;
      totalInput: number;
      totalOutput: number;
      totalCostUsd?: number;
    }
  | { type: 'killed'; agentId: string; reason: string }
  /**
   * Served from the result cache: no agent started; `from` is the member whose answer it was (a
   * writer's work, its commit, is landed again: a `landed` event follows when it is merged).
   */
  | { type: 'cache_hit'; agentId: string; name: string; role: string; from: string }
  /** A member ran without the cache: why (it writes in a shared tree, a tree too big to hash, a step that failed). */
  | { type: 'cache_skipped'; agentId: string; reason: string }
  /** The collapse controller cancelled a weak branch (a `killed` event follows): its score and why. */
  | {
      type: 'collapsed';
      agentId: string;
      score: number;
      reason: string;
      components: ScoreComponents;
    }
  /**
   * An isolated member's work merged into the swarm's branch (or copied back into cwd), or not:
   * the files of a conflict; the resolver agent that settled one; why a resolution did not land.
   */
  | { type: 'landed'; agentId: string; landed: Landing; files?: string[]; resolver?: string; reason?: string }
  | { type: 'ignored'; signal: string; reason: string }
  /** A parallel swarm closed (`close`): it takes no more agents and ends once its `agents` are done. */
  | { type: 'closed'; agents: number; reason?: string }
  | { type: 'status'; from: AgentStatus; to: AgentStatus; reason?: string };
export type SwarmEvent = Logged<SwarmEventBody>;

/** Events kept in the workflow; older ones drop off (the full story is in the history). */
export const EVENT_LOG_CAPACITY = 500;
/** Text in an event is a preview; the transcript has the whole of it. */
export const EVENT_TEXT_PREVIEW = 2000;

export interface EventLog<B = AgentEventBody> {
  nextSeq: number;
  events: Array<Logged<B>>;
}

export function emptyEventLog<B = AgentEventBody>(): EventLog<B> {
  return { nextSeq: 1, events: [] };
}

export function preview(text: string, max = EVENT_TEXT_PREVIEW): string {
  return text.length <= max ? text : `${text.slice(0, max)}… [${text.length - max} more chars]`;
}

export function appendEvent<B>(log: EventLog<B>, body: B, at: string): Logged<B> {
  const event = { ...body, seq: log.nextSeq, at } as Logged<B>;
  log.nextSeq += 1;
  log.events.push(event);
  if (log.events.length > EVENT_LOG_CAPACITY) log.events.splice(0, log.events.length - EVENT_LOG_CAPACITY);
  return event;
}

export function eventsAfter<B>(log: EventLog<B>, after = 0, limit = 1000): Array<Logged<B>> {
  return log.events.filter((e) => e.seq > after).slice(0, limit);
}

/**
 * The `events` query, an agent's and a swarm's alike: a query can answer, so arguments it
 * cannot read fail it with the reason rather than answering an empty list.
 */
export function eventsQueried<B>(log: EventLog<B>, raw: unknown): Array<Logged<B>> {
  const args = eventsQueryArgs.safeParse(raw);
  if (!args.success) throw new Error(`bad events query: ${describeIssue(args.error)}`);
  return eventsAfter(log, args.data.after, args.data.limit);
}
