/** How many of a swarm's agents are being started at once. */
import * as wf from '@temporalio/workflow';

/**
 * Children being started at once. Each start is a task on the server that also updates the
 * parent, and hundreds at once contend for it: a 500-agent swarm's starts spread over 31 s,
 * against 16 s with this limit (and a 1,000-agent swarm took 1.7x its agents started one by
 * one by a client; with it, as long).
 */
export const STARTS_IN_FLIGHT = 50;
/** Swarms started before the limit existed replay without it (their starts were issued at once). */
const PATCH = 'swarm-start-slots';

export class StartSlots {
  private starting = 0;

  /** `held`: while true, no agent starts (a paused swarm: one started now would miss the pause its peers got). */
  constructor(private readonly held: () => boolean) {}

  /** Start a child in a slot: wait for a free one; cancelling the caller's scope ends the wait. */
  async start<T>(startChild: () => Promise<T>): Promise<T> {
    if (!wf.patched(PATCH)) return startChild();
    const free = () => this.starting < STARTS_IN_FLIGHT && !this.held();
    while (!free()) await wf.condition(free);
    this.starting++;
    try {
      return await startChild();
    } finally {
      this.starting--;
    }
  }
}
