/**
 * The dashboard's feed: one stream of everything a user may see, over a WebSocket
 * (`/api/v1/ws`) or Server-Sent Events (`GET /api/v1/events`), and the commands a browser
 * sends back over the WebSocket. The contract between the API and the page: both import it.
 *
 * Each frame names its event as the per-agent streams do (agent_spawned, agent_status,
 * tool_call, tool_result, message, model_text, approval_requested, ...), carries the agent
 * or swarm it is about, and an `id` the client resumes from (SSE's Last-Event-ID, or the
 * WebSocket's `resume` command). A client too far behind to be caught up gets `resync`: it
 * reads the lists again (GET /agents, /swarms, /zones) and goes on from that frame's id.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { refIdSchema } from './agent';
import type { AgentEvent, SwarmEvent } from './events';

/** Where a frame comes from: an agent's or a swarm's event log, or the feed itself. */
export type FeedSource = 'agent' | 'swarm' | 'feed';

export interface FeedFrame {
  /** Resume after this (opaque to the client). */
  id: string;
  /** The event's name, the per-agent streams' vocabulary; `resync` and `hello` are the feed's own. */
  event: string;
  source: FeedSource;
  /** The agent or swarm it is about; absent for the feed's own frames. */
  subject?: string;
  /** Who may see it (the subject's workspace), and who may steer it. */
  workspace?: string;
  owner?: string;
  /** The event as its log holds it (seq, at, type, ...), or the feed's own data. */
  data: Record<string, unknown>;
}

/** An agent's logged event by its name on the wire: one vocabulary for the streams and the feed. */
export function agentEventName(e: AgentEvent): string {
  switch (e.type) {
    case 'spawned':
      return 'agent_spawned';
    case 'status':
      return e.to === 'cancelled' ? 'agent_killed' : 'agent_status';
    case 'task':
      return 'agent_task';
    default:
      return e.type; // message, tool_call, tool_result, tokens, approval_requested, ignored, ...
  }
}

/** An agent's token totals as the feed last read them: its latest `tokens` event's. */
export interface FeedTokens {
  input: number;
  output: number;
  /** USD, when the agent's model has a price. */
  costUsd?: number;
}

/** The totals a `tokens` event carries; undefined for any other event. */
export function tokensOf(e: AgentEvent): FeedTokens | undefined {
  if (e.type !== 'tokens') return undefined;
  return {
    input: e.totalInput,
    output: e.totalOutput,
    ...(e.totalCostUsd === undefined ? {} : { costUsd: e.totalCostUsd }),
  };
}

/**
 * An agent's logged event as a feed frame's data: the event as logged, plus the names the
 * dashboard's wire contract uses. `message` carries its text as `content` too (`text` stays,
 * for the per-agent streams' readers); `tool_result` carries the agent's totals as of the
 * `tokens` event before it (`tokens` frames still come after each model call), when the feed
 * has read one: the event itself does not hold them, and asking the agent would cost a query.
 */
export function agentFrameData(e: AgentEvent, tokens: FeedTokens | undefined): Record<string, unknown> {
  if (e.type === 'message') return { ...e, content: e.text };
  if (e.type === 'tool_result' && tokens) return { ...e, tokens };
  return { ...e };
}

/** A swarm's logged event by its name on the wire. */
export function swarmEventName(e: SwarmEvent): string {
  switch (e.type) {
    case 'spawned':
      return 'agent_spawned';
    case 'killed':
      return 'agent_killed';
    case 'status':
      return 'swarm_status';
    default:
      return e.type; // agent_status, tokens
  }
}

export { FEED_EVENTS, SIGNED_OUT_CLOSE, SIGNED_OUT_REASON } from './feed-events';

const requestId = lazy(() => z.string().min(1).max(100));
/** A command about one agent: its request id and the agent. */
const agentRef = () => ({ requestId, agentId: refIdSchema });

/**
 * What a browser sends over the WebSocket. Each command is checked by the same rules as the
 * REST route that does the same (owners steer, members look) and answered with a `reply`
 * frame carrying its `requestId`.
 */
export const feedCommandSchema = lazy(() =>
  z.discriminatedUnion('type', [
    z
      .object({ type: z.literal('spawn_agent'), requestId, request: z.record(z.string(), z.unknown()) })
      .strict(),
    z
      .object({ type: z.literal('send_message'), ...agentRef(), content: z.string().min(1).max(100_000) })
      .strict(),
    z
      .object({ type: z.literal('pause_agent'), ...agentRef(), reason: z.string().max(2000).optional() })
      .strict(),
    z
      .object({
        type: z.literal('resume_agent'),
        ...agentRef(),
        task: z.string().min(1).max(100_000).optional(),
      })
      .strict(),
    z
      .object({ type: z.literal('kill_agent'), ...agentRef(), reason: z.string().max(2000).optional() })
      .strict(),
    z
      .object({
        type: z.literal('approve'),
        requestId,
        callId: z.string().min(1).max(300),
        agentId: refIdSchema.optional(),
        decision: z.enum(['allow', 'deny']),
        note: z.string().max(2000).optional(),
      })
      .strict(),
    /** Replay what came after `after` (a frame id), as SSE's Last-Event-ID does. */
    z.object({ type: z.literal('resume'), requestId, after: z.string().min(1).max(200) }).strict(),
  ]),
);
export type FeedCommand = z.infer<typeof feedCommandSchema>;

/** A command's answer, as the `data` of a `reply` frame. */
export type FeedReply =
  | { requestId: string; ok: true; result: unknown }
  | { requestId: string; ok: false; error: { code: string; message: string } };
