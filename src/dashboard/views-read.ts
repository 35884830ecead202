/**
 * Completing rows with each agent's own view (GET /agents/:id: its session, swarm, task,
 * tokens, tool calls, iterations): the rows on screen, and every agent the feed tells of that
 * no list read has shown the page yet. One queue for the page, four reads at a time; a
 * finished agent's view is read once.
 */
import { api } from './api';
import { countCalls, getState, update } from './store';
import { isLive, type AgentRow, type AgentView } from './types';

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
      viewPartial: view.partial !== undefined,
    };
    // Calls made since the row was last read (not an agent's past, the first time it is read),
    // when no feed counts them as they are made.
    const made =
      s.feed !== 'polling' || before.toolCalls === undefined ? 0 : (row.toolCalls ?? 0) - before.toolCalls;
    return countCalls({ ...s, agents: { ...s.agents, [view.id]: row } }, made);
  });
}

/** Reads at once, for the whole page. */
const READERS = 4;
/** Ids waiting at most: a fleet started at once is read as it comes on screen, or by its filter's list. */
const MOST_QUEUED = 400;
/** Ids waiting for a read, in the order asked (a Set: asked twice, read once). */
const queued = new Set<string>();
const reading = new Set<string>();
let readers = 0;

/** A read that failed (gone, refused, unreachable) is not asked again for this long. */
const FAILED_RETRY_MS = 15_000;
const failedAt = new Map<string, number>();

/** A partial view (the API answered before the agent's worker did) is read again this long after, when asked. */
const PARTIAL_RETRY_MS = 2000;

/**
 * Whether the row of `id` is due a read: never read, read partially over 2 s ago, or live and
 * last read over 5 s ago.
 */
function due(id: string, now: number): boolean {
  const row = getState().agents[id];
  if (!row || reading.has(id)) return false;
  if (now - (failedAt.get(id) ?? 0) < FAILED_RETRY_MS) return false;
  if (!row.detailedAt) return true;
  if (row.viewPartial && now - row.detailedAt > PARTIAL_RETRY_MS) return true;
  return isLive(row.status) && now - row.detailedAt > 5000;
}

async function reader(): Promise<void> {
  readers += 1;
  try {
    for (let id = first(); id !== undefined; id = first()) {
      queued.delete(id);
      if (!due(id, Date.now())) continue;
      reading.add(id);
      try {
        applyView(await api<AgentView>('GET', `/agents/${encodeURIComponent(id)}`));
        failedAt.delete(id);
      } catch {
        failedAt.set(id, Date.now()); // gone or unreachable: asked again after a pause
      } finally {
        reading.delete(id);
      }
    }
  } finally {
    readers -= 1;
  }
}

const first = (): string | undefined => queued.values().next().value;

/** Read the views of these rows that need it (the rows on screen, a new agent the feed named). */
export function detailRows(ids: string[]): void {
  const now = Date.now();
  // Bounded: rows asked for again later get their turn then (the screen asks every 3 s).
  for (const id of ids) if (queued.size < MOST_QUEUED && due(id, now)) queued.add(id);
  while (readers < READERS && queued.size > 0) void reader();
}
