/**
 * The live feed (src/domain/feed.ts): one connection carrying every agent the user may see.
 * The WebSocket `/api/v1/ws` first, Server-Sent Events `/api/v1/events` when it cannot open,
 * and polling the REST lists when neither exists (sync.ts); it tries the socket again later.
 * Frames apply to the store by their event name; on reconnect the feed resumes after the last
 * frame's id (`?after=`), and on `resync` the lists are read again. While the socket is open,
 * the page's commands (spawn, message, pause, resume, kill, approve) go over it and are
 * answered by `reply` frames; otherwise by the REST routes.
 */
import type { FeedCommand, FeedFrame, FeedReply } from '../domain/feed';
import { FEED_EVENTS, SIGNED_OUT_CLOSE } from '../domain/feed-events';
import { HttpError, signedOut } from './api';
import { LOGGED_EVENTS } from './event-names';
import { countCalls, getState, patchAgent, update, type FeedMode } from './store';
import { loadApprovals, loadSwarms, reloadAll, startPolling } from './sync';
import type { Status } from './types';
import { isTerminal, type AgentStatus } from '../domain/status';
import { detailRows } from './views-read';

/** The event names the feed's SSE connection listens for: the feed's own, then every logged one. */
const EVENTS = [
  FEED_EVENTS.hello,
  FEED_EVENTS.resync,
  FEED_EVENTS.signedOut,
  'model_text',
  'swarm_status',
  ...LOGGED_EVENTS,
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
        void load(); // it reports its own failure
      }, 1000),
    );
  };
})();

/** A frame id's place: ids are `<epoch>-<n>`, increasing within an API process (feed-ring.ts). */
function place(id: string): { epoch: string; n: number } | undefined {
  const m = /^([0-9a-f]+)-(\d+)$/.exec(id);
  return m ? { epoch: m[1], n: Number(m[2]) } : undefined;
}

/**
 * The id to resume after once `next` is seen: frames replayed on a reconnect come after the
 * newer `hello`, so the larger of the two within one process; another process's id replaces it.
 */
export function laterId(last: string | undefined, next: string): string {
  const a = last === undefined ? undefined : place(last);
  const b = place(next);
  if (!b) return last ?? next;
  return a && a.epoch === b.epoch && a.n > b.n ? last! : next;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
/** The tail of an agent's text kept for the list (a line's worth). */
const TEXT_TAIL = 240;

/** A model_text piece (`{callId, attempt, offset, text, skipped?}`) added to what the row shows. */
function addText(agent: string, d: Record<string, unknown>): void {
  const callId = `${String(d.callId)}.${String(d.attempt ?? 1)}`;
  const offset = Number(d.offset ?? 0);
  const piece = String(d.text ?? '');
  update((s) => {
    const row = s.agents[agent] ?? { id: agent, status: 'running' as const };
    const before = row.activity?.kind === 'text' && row.activity.callId === callId ? row.activity : undefined;
    const reached = before?.chars ?? 0;
    // Pieces carry their offset: a repeat adds nothing, a gap (resync, a skipped stretch) starts over.
    const text =
      before && offset <= reached
        ? before.text + piece.slice(reached - offset)
        : (offset > 0 ? '… ' : '') + piece;
    const activity = {
      kind: 'text' as const,
      callId,
      chars: Math.max(reached, offset + piece.length),
      text: text.slice(-TEXT_TAIL),
    };
    return { ...s, agents: { ...s.agents, [agent]: { ...row, activity } } };
  });
}

/** An agent that reached its end: when (its age stops there), unless the page knows already. */
function ended(agent: string, d: Record<string, unknown>): { closedAt?: string } {
  if (!isTerminal(d.to as AgentStatus) || getState().agents[agent]?.closedAt) return {};
  return { closedAt: str(d.at) ?? new Date().toISOString() };
}

/** What a frame changes in the store. */
export function applyFrame(frame: FeedFrame): void {
  const d = frame.data;
  // A swarm's frames name the agent in their data; an agent's frames are about their subject.
  const agent = (frame.source === 'swarm' ? str(d.agentId) : frame.subject) ?? '';
  switch (frame.event) {
    case 'resync':
      void reloadAll();
      return;
    case FEED_EVENTS.signedOut:
      // Logged out here or in another tab, or expired: the form at once, not after a failed read.
      signedOut();
      return;
    case 'agent_spawned': {
      // An agent's own first event, one it logs for a subagent it started, or a swarm's new member.
      const id = str(d.agentId);
      if (!id) return;
      const own = frame.source === 'agent' && id === frame.subject;
      const known = getState().agents[id];
      patchAgent(id, {
        name: str(d.name),
        ...(known ? {} : { status: 'running' as const }),
        parentId: str(d.parentId) ?? (frame.source === 'agent' && !own ? frame.subject : known?.parentId),
        ...(frame.source === 'swarm' ? { swarmId: frame.subject } : {}),
        workspace: frame.workspace ?? known?.workspace,
        ...(own ? { owner: frame.owner } : {}),
        startedAt: known?.startedAt ?? str(d.at) ?? new Date().toISOString(),
      });
      // Its session, swarm and task are in its own view: a filter on screen may be waiting for it.
      if (!known) detailRows([id]);
      return;
    }
    case 'agent_status':
      if (agent && typeof d.to === 'string')
        patchAgent(agent, { status: d.to as Status, ...ended(agent, d) });
      if (frame.source === 'swarm' || d.to === 'waiting_for_input') later(loadApprovals);
      return;
    case 'agent_killed':
      // An agent's log says `to: 'cancelled'`; a swarm's `killed` names the member and a reason.
      if (agent) patchAgent(agent, { status: 'cancelled', ...ended(agent, { to: 'cancelled', at: d.at }) });
      later(loadApprovals);
      return;
    case 'agent_task':
      if (agent && typeof d.task === 'string') patchAgent(agent, { task: d.task });
      return;
    case 'tokens':
      // An agent's own totals; a swarm's usage frames name a member but carry the swarm's sums.
      if (agent && frame.source === 'agent' && typeof d.totalInput === 'number')
        patchAgent(agent, {
          tokens: { input: d.totalInput, output: Number(d.totalOutput ?? 0) },
          ...(typeof d.totalCostUsd === 'number' ? { costUsd: d.totalCostUsd } : {}),
        });
      return;
    case 'model_text':
      if (agent && frame.source === 'agent') addText(agent, d);
      return;
    case 'message':
      // The reply written: the whole of it (a preview) replaces the pieces.
      if (agent && d.role === 'assistant' && typeof d.text === 'string')
        patchAgent(agent, { activity: { kind: 'text', text: d.text.slice(-TEXT_TAIL) } });
      return;
    case 'tool_call':
      update((s) => {
        const row = s.agents[agent];
        const next = row
          ? {
              ...s,
              agents: {
                ...s.agents,
                [agent]: {
                  ...row,
                  // Not its count: the agent's view counts a call when the model asks for it,
                  // which may be before or after this frame; the next view read has it.
                  activity: { kind: 'tool' as const, text: String(d.tool), callId: str(d.callId) },
                },
              },
            }
          : s;
        return countCalls(next, 1, str(d.at));
      });
      return;
    case 'tool_result': {
      const row = getState().agents[agent];
      if (row?.activity?.kind === 'tool' && row.activity.callId === d.callId)
        patchAgent(agent, { activity: { ...row.activity, ok: d.ok === true } });
      return;
    }
    case 'approval_requested':
    case 'approval_answered':
      later(loadApprovals);
      return;
    case 'swarm_status':
      later(loadSwarms);
      return;
    case 'reply':
      answer(d as unknown as FeedReply);
      return;
  }
}

/** Commands sent and not answered yet, by request id. */
const waiting = new Map<string, { resolve: (result: unknown) => void; reject: (err: Error) => void }>();
/** The WebSocket while it is open: commands go over it. */
let openSocket: WebSocket | undefined;
let requests = 0;

function answer(reply: FeedReply): void {
  const w = waiting.get(reply.requestId);
  if (!w) return;
  waiting.delete(reply.requestId);
  if (reply.ok) w.resolve(reply.result);
  else w.reject(new HttpError(0, reply.error.code, reply.error.message));
}

/** What a command answers past this long: the connection is taken for gone. */
const COMMAND_TIMEOUT_MS = 30_000;

type WithoutId<C> = C extends unknown ? Omit<C, 'requestId'> : never;
/** A command as the page writes it: the request id is added when it is sent. */
export type Command = WithoutId<Exclude<FeedCommand, { type: 'resume' }>>;

/**
 * Steer over the WebSocket when it is open (its `reply` is the answer), else by `rest`, the
 * REST route that does the same. A command already sent is not sent again by REST: when the
 * connection drops before the reply, the error says so and the caller reads the lists.
 */
export function command<T>(cmd: Command, rest: () => Promise<T>): Promise<T> {
  const ws = openSocket;
  if (!ws || ws.readyState !== WebSocket.OPEN) return rest();
  const requestId = `c${Date.now().toString(36)}-${++requests}`;
  return new Promise<T>((resolve, reject) => {
    const timer = window.setTimeout(() => {
      waiting.delete(requestId);
      reject(
        new Error(`${cmd.type}: no answer over the feed; read the page again to see whether it was done`),
      );
    }, COMMAND_TIMEOUT_MS);
    waiting.set(requestId, {
      resolve: (r) => (window.clearTimeout(timer), resolve(r as T)),
      reject: (e) => (window.clearTimeout(timer), reject(e)),
    });
    ws.send(JSON.stringify({ ...cmd, requestId }));
  });
}

/** The socket closed: what was sent on it gets no reply. */
function dropWaiting(): void {
  for (const [id, w] of waiting) {
    waiting.delete(id);
    w.reject(new Error('the feed closed before answering; read the page again to see whether it was done'));
  }
}

export interface FeedOptions {
  /** Milliseconds before trying the WebSocket again after it could not open. @default 30000 */
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
    if (frame.id) lastId = laterId(lastId, frame.id);
    applyFrame(frame);
  };
  /** `?after=` the last frame seen: the server replays what came since, or says `resync`. */
  const after = () => (lastId ? `?after=${encodeURIComponent(lastId)}` : '');

  const connectSocket = () => {
    if (closed) return;
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/v1/ws${after()}`;
    let opened = false;
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      opened = true;
      openSocket = ws;
      source?.close(); // back from SSE
      source = undefined;
      mode('websocket');
    };
    ws.onmessage = (e) => {
      let frame: FeedFrame;
      try {
        frame = JSON.parse(String(e.data)) as FeedFrame;
      } catch {
        return; // not a frame
      }
      receive(frame);
    };
    ws.onclose = (e) => {
      if (openSocket === ws) openSocket = undefined;
      dropWaiting();
      if (closed) return;
      if (e.code === SIGNED_OUT_CLOSE) return signedOut(); // no reconnect: the page signs in again
      if (opened) {
        // It was up (a restart, a slow reader closed, a shutdown): again soon, resuming.
        mode('connecting');
        window.clearTimeout(timer);
        timer = window.setTimeout(connectSocket, 1000);
      } else {
        // No WebSocket here (a proxy without upgrades): SSE, and the socket again later.
        if (!source) openEvents();
        window.clearTimeout(timer);
        timer = window.setTimeout(connectSocket, retryMs);
      }
    };
  };

  const openEvents = () => {
    if (closed) return;
    // SSE sends Last-Event-ID by itself on its own reconnects; the first one says where the socket was.
    const es = new EventSource(`/api/v1/events${after()}`, { withCredentials: true });
    source = es;
    let opened = false;
    es.onopen = () => {
      opened = true;
      mode('sse');
    };
    // Each SSE message is `event: <name>`, `id: <frame id>`, and the whole frame as `data`.
    const onFrame = (e: MessageEvent) => {
      try {
        const frame = JSON.parse(String(e.data)) as FeedFrame;
        if (typeof frame.event === 'string' && frame.data)
          receive({ ...frame, id: frame.id || e.lastEventId });
      } catch {
        // not a frame
      }
    };
    for (const name of EVENTS) es.addEventListener(name, onFrame as EventListener);
    es.onerror = () => {
      // EventSource reconnects by itself (with Last-Event-ID) unless the server refused it.
      if (es.readyState !== EventSource.CLOSED) return;
      es.close();
      if (source === es) source = undefined;
      if (!opened) mode('polling');
    };
  };

  void reloadAll();
  connectSocket();
  return () => {
    closed = true;
    window.clearTimeout(timer);
    socket?.close();
    source?.close();
    stopPolling?.();
  };
}
