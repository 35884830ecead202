/**
 * Reading the lists from the REST routes into the store: at start, on the feed's `resync`,
 * every few seconds while no feed is connected, after a swarm or session is started from the
 * page, and the sessions every 5 s while they are on screen (the feed has no session frames). Rows on screen are completed with each
 * agent's own view (tokens, tool calls, iterations), a few at a time; a finished agent's is
 * read once.
 */
import { api, query } from './api';
import { countCalls, getState, resetState, update } from './store';
import { isLive, type AgentRow, type AgentView, type Entry, type PendingApproval, type Zone } from './types';

/** Pages of 200 (the API's most), up to this many agents. */
const MOST_AGENTS = 2000;

interface Page<T> {
  items: T[];
  nextCursor?: string;
}

async function pages<T>(path: string, most: number): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<Page<T>>('GET', `${path}${query({ limit: 200, cursor })}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < most);
  return items;
}

const fail = (err: unknown) => update((s) => ({ ...s, error: (err as Error).message }));

export async function loadAgents(): Promise<void> {
  const items = await pages<AgentRow>('/agents', MOST_AGENTS);
  update((s) => {
    const agents: Record<string, AgentRow> = {};
    for (const item of items) {
      const before = s.agents[item.id];
      // The row's own view says more than the list does (tokens, tool calls): keep it.
      agents[item.id] = before ? { ...before, ...item, status: pickStatus(before, item) } : item;
    }
    return { ...s, agents, error: undefined };
  });
}

/** The list lags the agent's own view by the visibility store's delay: keep the fresher of the two. */
function pickStatus(before: AgentRow, listed: AgentRow) {
  if (before.detailedAt && Date.now() - before.detailedAt < 3000) return before.status;
  return listed.status;
}

export async function loadZones(): Promise<void> {
  const { items } = await api<Page<Zone>>('GET', '/zones');
  update((s) => ({ ...s, zones: items }));
}

type Team = 'swarms' | 'sessions';

/**
 * Swarms and sessions started from this page, shown at once and kept at the head of their list
 * until the list holds them: it is read from the visibility store, which lags a start.
 */
const startedHere: Record<Team, Map<string, { entry: Entry; at: number }>> = {
  swarms: new Map(),
  sessions: new Map(),
};
/** Past this, an entry the list still lacks is taken for gone. */
const LIST_LAG_MS = 60_000;

function withStartedHere(team: Team, listed: Entry[]): Entry[] {
  const ids = new Set(listed.map((e) => e.id));
  const waiting: Entry[] = [];
  for (const [id, { entry, at }] of startedHere[team]) {
    if (ids.has(id) || Date.now() - at > LIST_LAG_MS) startedHere[team].delete(id);
    else waiting.push(entry);
  }
  return [...waiting, ...listed];
}

/** Signing out or in: nothing of the last user's is kept, started-here entries included. */
export function forgetAll(): void {
  startedHere.swarms.clear();
  startedHere.sessions.clear();
  resetState();
}

/** A swarm or session this page just started: listed now, and read with its list from then on. */
export function startedFromPage(team: Team, entry: Entry): void {
  startedHere[team].set(entry.id, { entry, at: Date.now() });
  update((s) => ({
    ...s,
    [team]: withStartedHere(
      team,
      s[team].filter((e) => e.id !== entry.id),
    ),
  }));
  void (team === 'swarms' ? loadSwarms() : loadSessions()).catch(fail);
}

export async function loadSwarms(): Promise<void> {
  const items = await pages<Entry>('/swarms', 400);
  update((s) => ({ ...s, swarms: withStartedHere('swarms', items) }));
}

export async function loadSessions(): Promise<void> {
  const items = await pages<Entry>('/sessions', 400);
  update((s) => ({ ...s, sessions: withStartedHere('sessions', items) }));
}

export async function loadApprovals(): Promise<void> {
  const { items } = await api<Page<PendingApproval>>('GET', '/approvals');
  update((s) => ({ ...s, approvals: items }));
}

/** Everything again (start, `resync`, a control that changed things). */
export function reloadAll(): Promise<void> {
  return Promise.all([loadAgents(), loadZones(), loadSwarms(), loadSessions(), loadApprovals()]).then(
    () => undefined,
    fail,
  );
}

/**
 * Run `read` again and again, never two at once (an older answer landing after a newer one
 * would undo it): first after `firstMs`, then `pause(ms the last read took)` after each.
 * The answer stops it.
 */
export function repeat(
  read: () => Promise<void>,
  pause: (tookMs: number) => number,
  firstMs = pause(0),
): () => void {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const next = async () => {
    const started = Date.now();
    await read().catch(fail);
    if (!stopped) timer = setTimeout(() => void next(), pause(Date.now() - started));
  };
  timer = setTimeout(() => void next(), firstMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Poll while no feed is connected: agents and approvals every 3 s, the rest every 12 s. */
export function startPolling(): () => void {
  let round = 0;
  const poll = () => {
    const work: Array<Promise<void>> = [loadAgents(), loadApprovals()];
    if (round++ % 4 === 0) work.push(loadZones(), loadSwarms(), loadSessions());
    return Promise.all(work).then(() => undefined);
  };
  // At once, then every 3 s; a slow API is polled less.
  return repeat(poll, (took) => Math.max(3000, 2 * took), 0);
}

/** Merge an agent's own view into its row. */
export function applyView(view: AgentView): void {
  update((s) => {
    const before = s.agents[view.id] ?? { id: view.id, status: view.status };
    const row: AgentRow = {
      ...before,
      name: view.name ?? before.name,
      task: view.task ?? before.task,
      status: view.status,
      stale: view.stale,
      type: view.type ?? before.type,
      sessionId: view.sessionId ?? before.sessionId,
      swarmId: view.swarmId ?? before.swarmId,
      parentId: view.parentId ?? before.parentId,
      tokens: view.tokens ?? before.tokens,
      toolCalls: view.toolCalls ?? before.toolCalls,
      iterations: view.iterations ?? before.iterations,
      costUsd: view.costUsd ?? before.costUsd,
      detailedAt: Date.now(),
    };
    // Calls made since the row was last read (not an agent's past, the first time it is read).
    const made = before.toolCalls === undefined ? 0 : (row.toolCalls ?? 0) - before.toolCalls;
    return countCalls({ ...s, agents: { ...s.agents, [view.id]: row } }, made);
  });
}

const reading = new Set<string>();

/** Read the views of the rows on screen that need it, four at a time. */
export function detailRows(ids: string[]): void {
  const now = Date.now();
  const due = ids.filter((id) => {
    const row = getState().agents[id];
    if (!row || reading.has(id)) return false;
    if (!row.detailedAt) return true;
    return isLive(row.status) && now - row.detailedAt > 5000;
  });
  const queue = due.slice(0, 40);
  const next = async (): Promise<void> => {
    const id = queue.shift();
    if (!id) return;
    reading.add(id);
    try {
      applyView(await api<AgentView>('GET', `/agents/${encodeURIComponent(id)}`));
    } catch {
      // gone or unreachable: the next pass tries again
    } finally {
      reading.delete(id);
    }
    return next();
  };
  void Promise.all([next(), next(), next(), next()]);
}
