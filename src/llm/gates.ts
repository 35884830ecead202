import type { IncomingMessage } from 'node:http';

/** Named gates a scripted step may wait at; a call whose client hangs up stops waiting. */
export class Gates {
  private readonly opened = new Set<string>();
  private readonly waiting = new Map<string, Set<() => void>>();

  passed(name: string, req: IncomingMessage): Promise<void> {
    if (this.opened.has(name)) return Promise.resolve();
    return new Promise((resolve) => {
      const waiters = this.waiting.get(name) ?? new Set();
      this.waiting.set(name, waiters);
      const done = () => {
        waiters.delete(done);
        req.socket.off('close', done);
        resolve();
      };
      waiters.add(done);
      req.socket.once('close', done);
    });
  }

  open(name: string): void {
    this.opened.add(name);
    for (const done of [...(this.waiting.get(name) ?? [])]) done();
  }

  /** Every gate closed again; what waits at one goes on (a suite that ended left it there). */
  reset(): void {
    for (const name of this.waiting.keys()) this.open(name);
    this.opened.clear();
    this.waiting.clear();
  }
}
