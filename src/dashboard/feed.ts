/**
 * The live feed (src/domain/feed.ts): one connection carrying every agent the user may see.
 * The WebSocket `/api/v1/ws` first, Server-Sent Events `/api/v1/events` when it cannot open,
 * and polling the REST lists when neither exists (sync.ts); it tries the feed again later.
 * Frames apply to the store by their event name; on reconnect the feed resumes after the last
 * frame's id, and on `resync` the lists are read again.
 */
import type { FeedFrame } from '../domain/feed';
import { countCalls, patchAgent, update, type FeedMode } from './store';
import { loadApprovals, loadSwarms, loadZones, reloadAll, startPolling } from './sync';
import type { Status } from './types';

/** The event names an SSE connection listens for (EventSource hears only the names it is told). */
const EVENTS = [
  'hello',
  'resync',
  'agent_spawned',
  'agent_status',
  'agent_killed',
  'agent_task',
  'tool_call',
  'tool_result',
  'message',
  'model_text',
  'tokens',
  'approval_requested',
  'approval_answered',
  'stale',
  'end',
  'swarm_status',
  'zone_created',
  'zone_renamed',
  'zone_deleted',
  'zone_agents',
];

/** Lists that many frames may ask to re-read, read at most once a second. */
const later = (() => {
  const timers = new Map<() => Promise<void>, number>();
  return (load: () => Promise<void>) => {
    if (timers.has(load)) return;
    timers.set(
      load,
      window.setTimeout(() => {
        timers.delete(load);
        load().catch(() => undefined);
      }, 1000),
    );
  };
})();

/** What a frame changes in the store. */
export function applyFrame(frame: FeedFrame): void {
  const d = frame.data;
  // A swarm's frames name the agent in their data; an agent's frames are about their subject.
  const agent = (typeof d.agentId === 'string' && frame.source === 'swarm' ? d.agentId : frame.subject) ?? '';
  switch (frame.event) {
    case 'resync':
      void reloadAll();
      return;
    case 'agent_spawned':
      if (typeof d.agentId === 'string')
        patchAgent(d.agentId, {
          name: typeof d.name === 'string' ? d.name : undefined,
          status: 'running',
          parentId: typeof d.parentId === 'string' ? d.parentId : undefined,
          workspace: frame.workspace,
          owner: frame.owner,
          startedAt: typeof d.at === 'string' ? d.at : new Date().toISOString(),
        });
      return;
    case 'agent_status':
    case 'agent_killed':
      if (agent && typeof d.to === 'string') patchAgent(agent, { status: d.to as Status });
      if (frame.source === 'swarm' || d.to === 'waiting_for_input') later(loadApprovals);
      return;
    case 'agent_task':
      if (agent && typeof d.task === 'string') patchAgent(agent, { task: d.task });
      return;
    case 'end':
      if (agent && typeof d.status === 'string') patchAgent(agent, { status: d.status as Status });
      return;
    case 'stale':
      if (agent) patchAgent(agent, { stale: d.stale === true });
      return;
    case 'tokens':
      if (agent && typeof d.totalInput === 'number')
        patchAgent(agent, {
          tokens: { input: d.totalInput, output: Number(d.totalOutput ?? 0) },
          ...(typeof d.totalCostUsd === 'number' ? { costUsd: d.totalCostUsd } : {}),
        });
      return;
    case 'tool_call':
      update((s) => {
        const row = s.agents[agent];
        const next = row
          ? { ...s, agents: { ...s.agents, [agent]: { ...row, toolCalls: (row.toolCalls ?? 0) + 1 } } }
          : s;
        return countCalls(next, 1);
      });
      return;
    case 'approval_requested':
    case 'approval_answered':
      later(loadApprovals);
      return;
    case 'swarm_status':
      later(loadSwarms);
      return;
    default:
      if (frame.source === 'zones') later(loadZones);
  }
}

export interface FeedOptions {
  /** Milliseconds before trying the feed again after it could not open. @default 30000 */
  retryMs?: number;
}

/** Connect; the returned function disconnects. */
export function connectFeed({ retryMs = 30_000 }: FeedOptions = {}): () => void {
  let lastId: string | undefined;
  let closed = false;
  let stopPolling: (() => void) | undefined;
  let socket: WebSocket | undefined;
  let source: EventSource | undefined;
  let timer: number | undefined;

  const mode = (feed: FeedMode) => {
    update((s) => ({ ...s, feed }));
    if (feed === 'polling') stopPolling ??= startPolling();
    else {
      stopPolling?.();
      stopPolling = undefined;
    }
  };
  const receive = (frame: FeedFrame) => {
    if (frame.id) lastId = frame.id;
    applyFrame(frame);
  };
  const again = () => {
    if (closed) return;
    window.clearTimeout(timer);
    timer = window.setTimeout(openSocket, retryMs);
  };

  const openSocket = () => {
    if (closed) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/ws`;
    let opened = false;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      opened = true;
      mode('websocket');
      if (lastId)
        ws.send(JSON.stringify({ type: 'resume', requestId: `resume-${Date.now()}`, after: lastId }));
      else void reloadAll();
    };
    ws.onmessage = (e) => {
      try {
        receive(JSON.parse(String(e.data)) as FeedFrame);
      } catch {
        // not a frame: ignore it
      }
    };
    ws.onclose = () => {
      if (closed) return;
      if (opened) {
        // It was up: reconnect soon, resuming after the last frame.
        mode('connecting');
        window.clearTimeout(timer);
        timer = window.setTimeout(openSocket, 1000);
      } else openEvents();
    };
  };

  const openEvents = () => {
    if (closed) return;
    const es = new EventSource('/api/v1/events', { withCredentials: true });
    source = es;
    let opened = false;
    es.onopen = () => {
      opened = true;
      mode('sse');
    };
    const onFrame = (name: string) => (e: MessageEvent) => {
      let data: unknown;
      try {
        data = JSON.parse(String(e.data));
      } catch {
        return;
      }
      const frame = data as Partial<FeedFrame>;
      receive(
        typeof frame.event === 'string' && frame.data
          ? (frame as FeedFrame)
          : { id: e.lastEventId, event: name, source: 'feed', data: data as Record<string, unknown> },
      );
    };
    for (const name of EVENTS) es.addEventListener(name, onFrame(name) as EventListener);
    es.onerror = () => {
      // EventSource reconnects by itself (with Last-Event-ID) unless the server refused it.
      if (es.readyState !== EventSource.CLOSED) return;
      es.close();
      source = undefined;
      if (!opened) mode('polling');
      again();
    };
  };

  void reloadAll();
  openSocket();
  return () => {
    closed = true;
    window.clearTimeout(timer);
    socket?.close();
    source?.close();
    stopPolling?.();
  };
}
