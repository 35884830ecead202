/** A counting semaphore: at most `size` holders at once, the rest wait in order. */
export class Slots {
  private used = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  /** Wait for a slot; the returned function gives it back. Ends early, with the signal's reason, when it aborts. */
  async take(signal?: AbortSignal): Promise<() => void> {
    if (this.used >= this.size) {
      await new Promise<void>((resolve, reject) => {
        const turn = () => {
          signal?.removeEventListener('abort', abort);
          resolve();
        };
        const abort = () => {
          const i = this.waiting.indexOf(turn);
          if (i >= 0) this.waiting.splice(i, 1);
          reject(signal?.reason);
        };
        signal?.addEventListener('abort', abort, { once: true });
        this.waiting.push(turn);
      });
    } else this.used += 1;
    let given = false;
    return () => {
      if (given) return;
      given = true;
      const next = this.waiting.shift();
      // The slot passes straight to the next in line, so `used` stays as it is.
      if (next) next();
      else this.used -= 1;
    };
  }
}
