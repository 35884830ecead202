/** An agent's events as they happen, until it ends: the loop the SDK's `watch` and the CLI's `--follow` share. */
import type { Client } from '@temporalio/client';
import { isTerminal, type AgentEvent } from '../domain';
import { agentEvents, agentStatus } from './agents';

export interface WatchOptions {
  /** Only events after this sequence number. */
  after?: number;
  /** The wait between reads when nothing happened. @default 300 */
  pollMs?: number;
  /** Stop when the agent waits for input too (interactive agents). */
  untilWaiting?: boolean;
  /** How each read is made (the CLI gives them a deadline: src/temporal/look.ts). */
  read?: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Called while nothing happens, before each wait (the CLI's live line). */
  idle?: () => Promise<void>;
}

export async function* watchAgent(
  client: Client,
  id: string,
  options: WatchOptions = {},
): AsyncGenerator<AgentEvent> {
  const read = options.read ?? (<T>(fn: () => Promise<T>) => fn());
  let after = options.after ?? 0;
  for (;;) {
    const events = await read(() => agentEvents(client, id, after));
    for (const event of events) {
      after = event.seq;
      yield event;
    }
    if (events.length) continue;
    const { status } = await read(() => agentStatus(client, id));
    if (isTerminal(status) || (options.untilWaiting && status === 'waiting_for_input')) {
      // One last read: events recorded between the two queries.
      for (const event of await read(() => agentEvents(client, id, after))) yield event;
      return;
    }
    await options.idle?.();
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 300));
  }
}
