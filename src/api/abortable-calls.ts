/**
 * Temporal calls with a deadline that their owner can also end at once when it closes, instead
 * of waiting them out. A signal is made per call, never shared: the SDK adds a listener to the
 * signal for every gRPC call and never removes it, so a long-lived one would grow with every call.
 */
import type { Client } from '@temporalio/client';

export class AbortableCalls {
  private readonly underWay = new Set<AbortController>();

  constructor(private readonly client: Client) {}

  /** `fn`'s Temporal calls give up at `deadline`, or when `abortAll` is called. */
  async run<T>(deadline: number, fn: () => Promise<T>): Promise<T> {
    const controller = new AbortController();
    this.underWay.add(controller);
    try {
      return await this.client.withAbortSignal(controller.signal, () =>
        this.client.withDeadline(deadline, fn),
      );
    } finally {
      this.underWay.delete(controller);
    }
  }

  abortAll(): void {
    for (const controller of this.underWay) controller.abort();
  }
}
