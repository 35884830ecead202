/**
 * A look at a workflow (a query) that gives up after a while and is asked once more. A query
 * that reaches the server just as the workflow closes can wait out the server's query timeout
 * (30 s) instead of answering; asked again, the closed run answers at once. Without a
 * deadline, `--follow` and `--wait` would stall that long at the end of an agent.
 */
import { isGrpcDeadlineError, type Client } from '@temporalio/client';

/** How long one look waits before it is asked again. */
export const LOOK_MS = 10_000;

export async function look<T>(client: Client, ask: () => Promise<T>, ms = LOOK_MS): Promise<T> {
  try {
    return await client.withDeadline(Date.now() + ms, ask);
  } catch (err) {
    if (!isGrpcDeadlineError(err)) throw err;
    return client.withDeadline(Date.now() + ms, ask);
  }
}
