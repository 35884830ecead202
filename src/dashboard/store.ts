/**
 * The page's state, one object outside React: the feed and the polls write into it, and the
 * views read it with `useDash`. Writers may call `update` hundreds of times a second; the
 * views re-render at most once a frame (the notification waits for the next animation frame).
 */
import { useSyncExternalStore } from 'react';
import type { AgentRow, Entry, PendingApproval, Zone } from './types';

export type FeedMode = 'connecting' | 'websocket' | 'sse' | 'polling';

/** The New agent form's fields, as typed. */
export type AgentDraft = Record<
  'task' | 'cwd' | 'name' | 'type' | 'model' | 'zone' | 'sessionId' | 'autonomy',
  string
>;

export interface DashState {
  agents: Record<string, AgentRow>;
  swarms: Entry[];
  sessions: Entry[];
  zones: Zone[];
  approvals: PendingApproval[];
  feed: FeedMode;
  /** Each list whose last read failed (agents, zones...), and why: shown until its next success. */
  errors: Record<string, string>;
  /** The New agent form as typed and not started: closing the dialog keeps it, signing out does not. */
  agentDraft?: AgentDraft;
  /** When the tool calls the page saw happening were made (the last minute's): calls per minute. */
  recentCalls: number[];
}

const EMPTY: DashState = {
  agents: {},
  swarms: [],
  sessions: [],
  zones: [],
  approvals: [],
  feed: 'connecting',
  errors: {},
  recentCalls: [],
};
let state: DashState = EMPTY;
const listeners = new Set<() => void>();
let scheduled = false;

function notify() {
  scheduled = false;
  listeners.forEach((l) => l());
}

export function getState(): DashState {
  return state;
}

/** Replace the state with `fn`'s answer; the views hear of it on the next frame. */
export function update(fn: (s: DashState) => DashState): void {
  state = fn(state);
  if (scheduled) return;
  scheduled = true;
  // A hidden tab gets no frames: a timer then, so the state still settles.
  if (document.visibilityState === 'visible') requestAnimationFrame(notify);
  else setTimeout(notify, 100);
}

/** Forget everything (signing out: the next user must not see this one's agents). */
export function resetState(): void {
  update(() => EMPTY);
}

/** Merge fields into one agent's row (created when new). */
export function patchAgent(id: string, patch: Partial<AgentRow>): void {
  update((s) => {
    const before = s.agents[id] ?? { id, status: 'unknown' as const };
    return { ...s, agents: { ...s.agents, [id]: { ...before, ...patch } } };
  });
}

/** Count `n` tool calls made now (seen in the feed, or as a row's total growing). */
export function countCalls(s: DashState, n: number, at?: string): DashState {
  const now = Date.now();
  // When it was made: frames replayed after a reconnect are no burst of calls now.
  const when = Math.min(now, at ? Date.parse(at) || now : now);
  if (n <= 0 || now - when >= 60_000) return s;
  return { ...s, recentCalls: [...s.recentCalls.filter((t) => now - t < 60_000), ...Array(n).fill(when)] };
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** A slice of the state; the view re-renders when the slice changes (by identity). */
export function useDash<T>(select: (s: DashState) => T): T {
  return useSyncExternalStore(subscribe, () => select(state));
}
