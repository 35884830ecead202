/** One ask per key at a time: callers that come while it runs share it; once it settles, the next caller asks again. */
export class AsksInFlight {
  private readonly asking = new Map<string, Promise<unknown>>();

  /** The ask under way for `key`, or `ask()` started now; `settled` hears of its value first. */
  get<V>(key: string, ask: () => Promise<V>, settled?: (value: V) => void): Promise<V> {
    const under = this.asking.get(key) as Promise<V> | undefined;
    if (under) return under;
    const asked = ask().then((value) => (settled?.(value), value));
    this.asking.set(key, asked);
    const done = () => this.asking.delete(key);
    // Its failure reaches the callers that wait for it; here it only ends the ask.
    asked.then(done, done);
    return asked;
  }
}
