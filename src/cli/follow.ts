/** Follow an agent live: print its events as they happen until it ends, with a live line between them on a terminal. */
import type { Client } from '@temporalio/client';
import type { AgentEvent } from '../domain';
import { inFlight } from '../temporal/in-flight';
import { look } from '../temporal/look';
import { watchAgent } from '../temporal/watch';
import type { LiveLine } from './live-line';

export interface FollowOptions {
  after?: number;
  pollMs?: number;
  onEvent: (event: AgentEvent) => void;
  /** Stop when the agent waits for input too (interactive agents). */
  untilWaiting?: boolean;
  /** Show the work in flight between events (a terminal): model text as it is written, tools, time. */
  live?: LiveLine;
}

/** How often the live line asks the server what is in flight (a description, heavier than a query). */
const LIVE_EVERY_MS = 500;

export async function followAgent(client: Client, id: string, options: FollowOptions): Promise<void> {
  const { live } = options;
  let asked = 0;
  const idle = async () => {
    if (!live || Date.now() - asked < LIVE_EVERY_MS) return;
    asked = Date.now();
    // A description that fails (a busy server) leaves the line as it was.
    const work = await inFlight(client, id).catch(() => null);
    if (work !== null) live.show(work);
  };
  const events = watchAgent(client, id, {
    after: options.after,
    pollMs: options.pollMs,
    untilWaiting: options.untilWaiting,
    read: (fn) => look(client, fn),
    idle,
  });
  try {
    for await (const event of events) {
      live?.clear();
      options.onEvent(event);
    }
  } finally {
    live?.clear();
  }
}
