/** Follow an agent live: print its events as they happen until it ends. */
import type { Client } from '@temporalio/client';
import { isTerminal, type AgentEvent } from '../domain';
import { agentEvents, agentStatus } from '../temporal/agents';
import { inFlight } from '../temporal/in-flight';
import { look } from '../temporal/look';
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
  let after = options.after ?? 0;
  const { live } = options;
  let asked = 0;
  for (;;) {
    const events = await look(client, () => agentEvents(client, id, after));
    if (events.length) live?.clear();
    for (const event of events) {
      options.onEvent(event);
      after = event.seq;
    }
    if (events.length === 0) {
      const { status } = await look(client, () => agentStatus(client, id));
      if (isTerminal(status) || (options.untilWaiting && status === 'waiting_for_input')) {
        live?.clear();
        // One last read: events recorded between the two queries.
        for (const event of await look(client, () => agentEvents(client, id, after))) options.onEvent(event);
        return;
      }
      if (live && Date.now() - asked >= LIVE_EVERY_MS) {
        asked = Date.now();
        // A description that fails (a busy server) leaves the line as it was.
        const work = await inFlight(client, id).catch(() => null);
        if (work !== null) live.show(work);
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
    }
  }
}
