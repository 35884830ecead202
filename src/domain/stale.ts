/**
 * Stale detection. An agent is stale when work it waits on has shown no sign of life for
 * longer than the threshold: a running activity has not heartbeated, or an activity or
 * workflow task has waited that long for a worker to pick it up. Temporal itself retries an
 * activity whose heartbeat times out; "stale" tells a person that no worker has taken it since.
 */

/** Seconds of silence after which an agent is reported stale. @default 120 */
export const DEFAULT_STALE_AFTER_SECONDS = 120;

export interface PendingWork {
  /** `callModel`, `bash`, ... or `workflow task`. */
  name: string;
  state: 'scheduled' | 'started' | 'other';
  /** The latest of: scheduled, started, last heartbeat (ISO times). */
  times: Array<string | undefined>;
}

export interface Staleness {
  stale: boolean;
  /** The silent work, and since when, when stale. */
  silentWork?: string;
  silentSince?: string;
}

export function staleness(pending: PendingWork[], nowMs: number, thresholdMs: number): Staleness {
  for (const work of pending) {
    if (work.state === 'other') continue;
    const last = Math.max(...work.times.map((t) => (t ? Date.parse(t) : 0)));
    if (last > 0 && nowMs - last > thresholdMs) {
      return {
        stale: true,
        silentWork: `${work.name} (${work.state})`,
        silentSince: new Date(last).toISOString(),
      };
    }
  }
  return { stale: false };
}
