/**
 * What the feed's hub knows of each agent and swarm it has read: where its events stand, how
 * it was last seen, and whether it is due a read. Kept bounded: closed ones are forgotten once
 * no list can show them again, and the oldest idle ones past a cap.
 */
import type { FeedTokens } from '../domain';
import type { TextCursor } from './model-text';

export type Kind = 'agent' | 'swarm';

/** What the hub knows of one agent or swarm it has read. */
export interface Followed {
  kind: Kind;
  id: string;
  workflowId: string;
  workspace?: string;
  owner?: string;
  /** The last sequence number sent (0: none). */
  after: number;
  /** Known to the hub only since this moment (ms): older events were there before it looked; the lists have them. */
  baseline?: number;
  /** At work at the last tick: read every tick. */
  active: boolean;
  /** `<temporal status>/<status>` at the last read of it idle or closed: no need to read it again while it says so. */
  settled?: string;
  /** The last read hit its limit: read again next tick. */
  more?: boolean;
  /** A read it was due could not start (one was under way, or too many were): read it next tick. */
  dirty?: boolean;
  /** Reads left for one that failed. */
  retries?: number;
  /** Read each tick until then (ms): it was just steered through this API. */
  pokedUntil?: number;
  /** Given up on after its tries: tried again from then (ms), so what it missed still comes. */
  retryAt?: number;
  historyLength?: number;
  text?: TextCursor;
  /** An agent's totals from the last `tokens` event read: its tool results carry them. */
  tokens?: FeedTokens;
  closedAt?: number;
}

/** Idle ones kept in memory (their last sequence number); older ones are read by time when they wake. */
const FOLLOWED_CAP = 100_000;

export class FollowedTable {
  private readonly table = new Map<string, Followed>();

  /** The one of `kind` `id`, known from now on; `baseline`: events before it are not news. */
  follow(kind: Kind, id: string, baseline: number | undefined): Followed {
    const key = `${kind}:${id}`;
    let f = this.table.get(key);
    if (!f) {
      f = {
        kind,
        id,
        workflowId: `${kind}-${id}`,
        after: 0,
        active: false,
        ...(baseline === undefined ? {} : { baseline }),
      };
      this.table.set(key, f);
    }
    return f;
  }

  get(kind: Kind, id: string): Followed | undefined {
    return this.table.get(`${kind}:${id}`);
  }

  values(): IterableIterator<Followed> {
    return this.table.values();
  }

  forget(f: Followed): void {
    this.table.delete(`${f.kind}:${f.id}`);
  }

  clear(): void {
    this.table.clear();
  }

  /** Forget closed ones that closed before `closedBefore` and are all read, then the oldest idle ones past the cap. */
  prune(closedBefore: number): void {
    for (const [key, f] of this.table) {
      if (f.closedAt !== undefined && f.closedAt < closedBefore && f.settled && !f.more && !f.retries)
        this.table.delete(key);
    }
    for (const [key, f] of this.table) {
      if (this.table.size <= FOLLOWED_CAP) break;
      if (!f.active) this.table.delete(key);
    }
  }
}

/**
 * Whether `f` is to be read this tick whatever else holds: it was steered through this API
 * lately (read each tick until then), or its time to be tried again has come. Both marks are
 * looked at (each clears itself once past), so call it before any other condition.
 */
export function nudged(f: Followed, now: number): boolean {
  const steered = f.pokedUntil !== undefined && f.pokedUntil > now;
  if (!steered) f.pokedUntil = undefined;
  const due = f.retryAt !== undefined && f.retryAt <= now;
  if (due) f.retryAt = undefined;
  return steered || due;
}
