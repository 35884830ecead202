/** Follow an agent live: print its events as they happen until it ends. */
import type { Client } from '@temporalio/client';
import { isTerminal, type AgentEvent } from '../domain';
import { agentEvents, agentStatus } from '../temporal/agents';
import { look } from '../temporal/look';

export interface FollowOptions {
  after?: number;
  pollMs?: number;
  onEvent: (event: AgentEvent) => void;
  /** Stop when the agent waits for input too (interactive agents). */
  untilWaiting?: boolean;
}

export async function followAgent(client: Client, id: string, options: FollowOptions): Promise<void> {
  let after = options.after ?? 0;
  for (;;) {
    const events = await look(client, () => agentEvents(client, id, after));
    for (const event of events) {
      options.onEvent(event);
      after = event.seq;
    }
    if (events.length === 0) {
      const { status } = await look(client, () => agentStatus(client, id));
      if (isTerminal(status) || (options.untilWaiting && status === 'waiting_for_input')) {
        // One last read: events recorded between the two queries.
        for (const event of await look(client, () => agentEvents(client, id, after))) options.onEvent(event);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
    }
  }
}
