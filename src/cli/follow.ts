/** Follow an agent live: print its events as they happen until it ends, with a live line between them on a terminal. */
import type { AgentEvent } from '../domain';
import type { Orchestra } from '../sdk/orchestra';
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

export async function followAgent(orchestra: Orchestra, id: string, options: FollowOptions): Promise<void> {
  const { live } = options;
  let asked = 0;
  const idle = async () => {
    if (!live || Date.now() - asked < LIVE_EVERY_MS) return;
    asked = Date.now();
    // A description that fails (a busy server) leaves the line as it was.
    const work = await orchestra.agents.inFlight(id).catch(() => null);
    if (work !== null) live.show(work);
  };
  const events = orchestra.agents.watch(id, {
    after: options.after,
    pollMs: options.pollMs,
    untilWaiting: options.untilWaiting,
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
