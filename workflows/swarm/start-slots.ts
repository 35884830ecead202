/** How many of a swarm's agents are being started at once. */
import * as wf from '@temporalio/workflow';

/**
 * Children being started at once. Each start is a task on the server that also updates the
 * parent, and hundreds at once contend for it: a 500-agent swarm's starts spread over 31 s,
 * against 16 s with this limit (and a 1,000-agent swarm took 1.7x its agents started one by
 * one by a client; with it, about as long).
 */
export const STARTS_IN_FLIGHT = 50;
/** Swarms started before the limit existed replay without it (their starts were issued at once). */
const PATCH = 'swarm-start-slots';

export class StartSlots {
  private starting = 0;
  /** Waiting starts, first come first served. */
  private readonly line: number[] = [];
  private tickets = 0;

  /** `held`: while true, no agent starts (the swarm is paused). */
  constructor(private readonly held: () => boolean) {}

  /**
   * Start a child when its turn comes. Only the first in line can go, so a freed slot wakes one
   * waiter, not all of them. Cancelling the caller's scope takes it out of the line.
   * `startedWhileHeld` hears of a child whose start was under way when the swarm was paused.
   */
  async start<T>(startChild: () => Promise<T>, startedWhileHeld: (child: T) => void): Promise<T> {
    if (!wf.patched(PATCH)) return startChild();
    const ticket = this.tickets++;
    this.line.push(ticket);
    try {
      await wf.condition(() => this.line[0] === ticket && this.starting < STARTS_IN_FLIGHT && !this.held());
    } finally {
      this.line.splice(this.line.indexOf(ticket), 1);
    }
    this.starting++;
    try {
      const child = await startChild();
      if (this.held()) startedWhileHeld(child);
      return child;
    } finally {
      this.starting--;
    }
  }
}
