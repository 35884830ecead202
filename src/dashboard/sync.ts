/**
 * Reading the lists from the REST routes into the store: at start, on the feed's `resync`,
 * every few seconds while no feed is connected, after a swarm or session is started from the
 * page, the agents a filter of the list names as it is set, and the sessions every 5 s while
 * they are on screen (the feed has no session frames). Rows are completed with each agent's
 * own view by views-read.ts.
 */
import { api, query } from './api';
import { resetState, update } from './store';
import type { AgentRow, Entry, PendingApproval, Zone } from './types';

/** Pages of 200 (the API's most), up to this many agents. */
const MOST_AGENTS = 2000;

interface Page<T> {
  items: T[];
  nextCursor?: string;
}

async function pages<T>(
  path: string,
  most: number,
  params: Record<string, string | undefined> = {},
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await api<Page<T>>('GET', `${path}${query({ ...params, limit: 200, cursor })}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor && items.length < most);
  return items;
}

/** Past this, an entry (or agent) the list still lacks is taken for gone. */
const LIST_LAG_MS = 60_000;

/** Lists read again after a failure, by name: on the feed, nothing else would read them soon. */
const retries = new Map<string, { timer: ReturnType<typeof setTimeout>; ms: number }>();

/**
 * A read of one list: its failure is shown by its name and the read tried again (5 s, doubling
 * to a minute) until it succeeds, which clears it. It never rejects.
 */
function reported(what: string, read: () => Promise<void>): () => Promise<void> {
  const run = (): Promise<void> =>
    read().then(
      () => {
        const retry = retries.get(what);
        clearTimeout(retry?.timer);
        retries.delete(what);
        update((s) => {
          if (!(what in s.errors)) return s;
          const { [what]: _cleared, ...errors } = s.errors;
          return { ...s, errors };
        });
      },
      (err: unknown) => {
        update((s) => ({ ...s, errors: { ...s.errors, [what]: (err as Error).message } }));
        const last = retries.get(what);
        clearTimeout(last?.timer);
        const ms = Math.min(60_000, last ? last.ms * 2 : 5000);
        retries.set(what, { timer: setTimeout(() => void run(), ms), ms });
      },
    );
  return run;
}

/**
 * The whole list read: it replaces the page's rows, but for agents the feed told of lately.
 * The list is read from the visibility store, which lags a start (seconds, more under load):
 * those are kept until a list holds them.
 */
function replaceAgents(items: AgentRow[]): void {
  update((s) => {
    const agents: Record<string, AgentRow> = {};
    for (const row of Object.values(s.agents)) if (recent(row)) agents[row.id] = row;
    for (const item of items) {
      const before = s.agents[item.id];
      // The row's own view says more than the list does (tokens, tool calls): keep it.
      agents[item.id] = before ? { ...before, ...item, status: pickStatus(before, item) } : item;
    }
    return { ...s, agents };
  });
}

/** Part of the list read: new rows added, known ones only completed (the feed keeps them fresher than the list). */
function addAgents(items: AgentRow[]): void {
  update((s) => {
    const agents = { ...s.agents };
    for (const item of items) {
      const row: Record<string, unknown> = { ...agents[item.id] };
      for (const [key, value] of Object.entries(item)) if (row[key] === undefined) row[key] = value;
      agents[item.id] = row as unknown as AgentRow;
    }
    return { ...s, agents };
  });
}

const recent = (row: AgentRow) =>
  row.startedAt !== undefined && Date.now() - Date.parse(row.startedAt) < LIST_LAG_MS;

export const loadAgents = reported('agents', async () =>
  replaceAgents(await pages<AgentRow>('/agents', MOST_AGENTS)),
);

/**
 * What a filter of the agent list matches, read again as it is set: of a session or a zone,
 * their list; for a search, the whole list. The feed's frames do not say which session an
 * agent is of, and a filter must show what matches, not only what the page heard of.
 */
export function refreshFor(filter: { session: string; zone: string; text: string }): Promise<void> {
  const named = { sessionId: filter.session || undefined, zone: filter.zone || undefined };
  if (named.sessionId || named.zone)
    return reported('the filtered agents', async () =>
      addAgents(await pages<AgentRow>('/agents', MOST_AGENTS, named)),
    )();
  return filter.text ? loadAgents() : Promise.resolve();
}

/** The list lags the agent's own view by the visibility store's delay: keep the fresher of the two. */
function pickStatus(before: AgentRow, listed: AgentRow) {
  if (before.detailedAt && Date.now() - before.detailedAt < 3000) return before.status;
  return listed.status;
}

export const loadZones = reported('zones', async () => {
  const { items } = await api<Page<Zone>>('GET', '/zones');
  update((s) => ({ ...s, zones: items }));
});

type Team = 'swarms' | 'sessions';

/**
 * Swarms and sessions started from this page, shown at once and kept at the head of their list
 * until the list holds them: it is read from the visibility store, which lags a start.
 */
const startedHere: Record<Team, Map<string, { entry: Entry; at: number }>> = {
  swarms: new Map(),
  sessions: new Map(),
};

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
  for (const { timer } of retries.values()) clearTimeout(timer);
  retries.clear();
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
  void (team === 'swarms' ? loadSwarms() : loadSessions());
}

export const loadSwarms = reported('swarms', async () => {
  const items = await pages<Entry>('/swarms', 400);
  update((s) => ({ ...s, swarms: withStartedHere('swarms', items) }));
});

export const loadSessions = reported('sessions', async () => {
  const items = await pages<Entry>('/sessions', 400);
  update((s) => ({ ...s, sessions: withStartedHere('sessions', items) }));
});

export const loadApprovals = reported('approvals', async () => {
  const { items } = await api<Page<PendingApproval>>('GET', '/approvals');
  update((s) => ({ ...s, approvals: items }));
});

/** Everything again (start, `resync`, a control that changed things). */
export function reloadAll(): Promise<void> {
  return Promise.all([loadAgents(), loadZones(), loadSwarms(), loadSessions(), loadApprovals()]).then(
    () => undefined,
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
    await read().catch(() => undefined); // the lists' reads report their own failures
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
