/**
 * The API's budget for Temporal. Every request's Temporal calls run under one deadline, and
 * the answer comes by then whatever the client library does (its retries of an unreachable
 * server sleep up to 5 s past a deadline): a 503 with Retry-After. While the connection is
 * known to be down (its last attempt to connect failed), the 503 comes at once instead, and
 * the first call that finds it back answers as usual: the connection retries on its own every
 * couple of seconds (src/temporal/connection.ts).
 */
import type { Client } from '@temporalio/client';
import { connectionDown } from '../temporal/connection';
import { temporalUnavailable } from './errors';

/** How often a call in flight looks whether the connection went down meanwhile. */
const CHECK_MS = 200;

export class TemporalGate {
  /** Calls under way, answered or not: a 503 leaves its calls to end at their deadline. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    private readonly client: Client,
    /** Said in the 503: where Temporal is expected. */
    private readonly address?: string,
  ) {}

  /** The connection's last attempt to reach the server failed. */
  get down(): boolean {
    return connectionDown(this.client.connection);
  }

  /**
   * `fn`'s answer, its Temporal calls under a deadline `budgetMs` from now; a 503 once the
   * budget is spent or the connection is seen down, unless `settled()` says by then that the
   * caller no longer needs the cut (a stream that has started). `fn` may go on past a 503 until
   * its calls fail at the deadline: the request does not wait for that, `settled()` does.
   */
  async run<T>(fn: () => Promise<T>, budgetMs: number, settled: () => boolean = () => false): Promise<T> {
    if (this.down) throw this.unreachable();
    let timer: NodeJS.Timeout | undefined;
    let ticker: NodeJS.Timeout | undefined;
    const stop = () => {
      clearTimeout(timer);
      clearInterval(ticker);
    };
    const cut = new Promise<never>((_resolve, reject) => {
      const fail = (err: Error) => {
        stop();
        if (!settled()) reject(err);
      };
      timer = setTimeout(
        () =>
          fail(
            temporalUnavailable(
              `Temporal did not answer within ${Math.round(budgetMs / 100) / 10} s; try again shortly`,
            ),
          ),
        budgetMs,
      );
      ticker = setInterval(() => {
        if (settled()) stop();
        else if (this.down) fail(this.unreachable());
      }, CHECK_MS);
    });
    const call = this.client.withDeadline(Date.now() + budgetMs, fn);
    this.running.add(call);
    const done = () => this.running.delete(call);
    call.then(done, done);
    try {
      return await Promise.race([call, cut]);
    } finally {
      stop();
    }
  }

  /** Once every call run here has ended (each by its deadline): then the connection may close. */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  private unreachable() {
    return temporalUnavailable(
      `the Temporal server${this.address ? ` at ${this.address}` : ''} is not reachable; try again shortly`,
    );
  }
}
