/**
 * A look at a workflow (a query) that gives up after a while and is asked again. A query
 * that reaches the server just as the workflow closes can wait out the server's query timeout
 * (30 s) instead of answering, and on a loaded machine the next one can stall too (the
 * closed run is replayed to answer it); asked again, it answers. Without a deadline,
 * `--follow` and `--wait` would stall that long at the end of an agent; without the asks
 * again, they would fail where waiting a little longer answers.
 */
import { isGrpcDeadlineError, isGrpcServiceError, type Client } from '@temporalio/client';
import { ServerUnreachableError } from './connection';

/** How long one look waits before it is asked again. */
export const LOOK_MS = 10_000;
/** Looks in all before the reader hears that no worker answers. */
export const LOOKS = 3;

/** gRPC's CANCELLED: what a call gets when its deadline passes at the wrong moment. */
const CANCELLED = 1;

/** A look that ran out of time: the deadline, or the call cancelled as it passed. */
export function stalled(err: unknown): boolean {
  if (isGrpcDeadlineError(err)) return true;
  const cause = (err as { cause?: unknown })?.cause;
  return [err, cause].some((e) => isGrpcServiceError(e) && e.code === CANCELLED);
}

export async function look<T>(client: Client, ask: () => Promise<T>, ms = LOOK_MS): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await client.withDeadline(Date.now() + ms, ask);
    } catch (err) {
      if (!stalled(err)) throw err;
      if (attempt === LOOKS)
        throw new ServerUnreachableError(
          `no worker answered within ${LOOKS} × ${ms / 1000} s: is a worker polling the agent's task queue? ` +
            '(`orchestra health --worker` checks)',
          { cause: err },
        );
    }
  }
}
