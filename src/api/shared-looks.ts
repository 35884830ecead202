/**
 * One look at a followed workflow per poll, however many streams follow it. Each live stream
 * polls for the events after the last one it sent; the streams of one agent that have caught
 * up ask for the same thing, so they share one look (a description and an events query):
 * the one under way, or one that settled less than `freshMs` ago. A stream that is behind
 * (one that resumed from an old Last-Event-ID) asks alone until it has caught up.
 */
export class SharedLooks {
  private readonly looks = new Map<string, { look: Promise<unknown>; settledAt?: number }>();

  constructor(readonly freshMs: number) {}

  /** The look under way for `key`, or one that settled within `freshMs`, or `look()` started now. A failed look is shared by those that waited for it, and no further. */
  get<V>(key: string, look: () => Promise<V>): Promise<V> {
    const kept = this.looks.get(key);
    if (kept && (kept.settledAt === undefined || Date.now() - kept.settledAt < this.freshMs)) {
      return kept.look as Promise<V>;
    }
    const entry: { look: Promise<V>; settledAt?: number } = { look: look() };
    this.looks.set(key, entry);
    const forget = () => {
      if (this.looks.get(key) === entry) this.looks.delete(key);
    };
    entry.look.then(() => {
      entry.settledAt = Date.now();
      setTimeout(forget, this.freshMs).unref();
    }, forget);
    return entry.look;
  }

  /** Looks kept (under way or fresh). */
  get size(): number {
    return this.looks.size;
  }
}
