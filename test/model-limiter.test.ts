/**
 * The worker's model-call limiter on its own (activities/model-limiter.ts), on a clock the
 * test moves: it slows down on 429s and 529s, waits out retry-after, climbs back on successes.
 */
import { MAX_PAUSE_MS, ModelLimiter, type Clock, type Release } from '../activities/model-limiter';

/** A clock that moves only when told, firing the timers it passes. */
class TestClock implements Clock {
  private at = 1_000_000;
  private timers: Array<{ due: number; fn: () => void; id: number }> = [];
  private next = 0;
  now = () => this.at;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.next;
    this.timers.push({ due: this.at + ms, fn, id });
    return id;
  };
  clearTimeout = (id: unknown) => {
    this.timers = this.timers.filter((t) => t.id !== id);
  };
  async advance(ms: number): Promise<void> {
    const end = this.at + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.due <= end).sort((a, b) => a.due - b.due)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.at = due.due;
      due.fn();
      await settled();
    }
    this.at = end;
    await settled();
  }
}

/** Let resolved promises run their callbacks. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Ask for a turn; `got` says whether it came yet. */
function ask(limiter: ModelLimiter, signal?: AbortSignal) {
  const asked: { release?: Release; error?: unknown } = {};
  const done = limiter.take(signal).then(
    (release) => (asked.release = release),
    (err: unknown) => (asked.error = err),
  );
  return Object.assign(asked, { done, got: () => asked.release !== undefined });
}

const ok = { kind: 'ok' } as const;

describe('the model-call limiter', () => {
  test('lets up to the maximum through at once; the rest wait in order', async () => {
    const limiter = new ModelLimiter({ max: 2, clock: new TestClock() });
    const calls = [ask(limiter), ask(limiter), ask(limiter), ask(limiter)];
    await settled();
    expect(calls.map((c) => c.got())).toEqual([true, true, false, false]);
    calls[1].release!(ok);
    await settled();
    expect(calls.map((c) => c.got())).toEqual([true, true, true, false]);
    expect(limiter.figures()).toMatchObject({ limit: 2, inFlight: 2, queued: 1, calls: 3, ok: 1 });
  });

  test('a 429 halves the limit, once for the calls that started together', async () => {
    const limiter = new ModelLimiter({ max: 8, clock: new TestClock() });
    const calls = Array.from({ length: 8 }, () => ask(limiter));
    await settled();
    // Eight calls at the old limit all hear the 429: one cut, not three.
    for (const c of calls.slice(0, 3)) c.release!({ kind: 'limited', status: 429 });
    expect(limiter.figures()).toMatchObject({ limit: 4, lowest: 4, cuts: 1, rateLimited: 3 });
    // A call started after the cut that is limited again cuts again; a 529 counts the same way.
    for (const c of calls.slice(3)) c.release!(ok);
    const later = ask(limiter);
    await settled();
    later.release!({ kind: 'limited', status: 529 });
    expect(limiter.figures()).toMatchObject({ limit: 2, lowest: 2, cuts: 2, rateLimited: 3, overloaded: 1 });
  });

  test('the limit never goes below one', async () => {
    const limiter = new ModelLimiter({ max: 2, clock: new TestClock() });
    for (let i = 0; i < 4; i++) {
      const c = ask(limiter);
      await settled();
      c.release!({ kind: 'limited', status: 429 });
    }
    expect(limiter.figures()).toMatchObject({ limit: 1, cuts: 4 });
  });

  test('climbs back by one for every `limit` successes of calls made since the cut, up to the maximum', async () => {
    const limiter = new ModelLimiter({ max: 4, clock: new TestClock() });
    const first = ask(limiter);
    const before = ask(limiter);
    await settled();
    first.release!({ kind: 'limited', status: 429 });
    expect(limiter.figures().limit).toBe(2);
    // A success of a call made at the old limit says nothing about the new one.
    before.release!(ok);
    expect(limiter.figures().limit).toBe(2);
    const run = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const c = ask(limiter);
        await settled();
        c.release!(ok);
      }
    };
    await run(2);
    expect(limiter.figures().limit).toBe(3);
    await run(3);
    expect(limiter.figures().limit).toBe(4);
    await run(20);
    expect(limiter.figures()).toMatchObject({ limit: 4, max: 4, lowest: 2 });
  });

  test('a retry-after pauses every new call until it has passed, and the waits are counted', async () => {
    const clock = new TestClock();
    const limiter = new ModelLimiter({ max: 4, clock });
    const first = ask(limiter);
    await settled();
    first.release!({ kind: 'limited', status: 429, retryAfterMs: 2000 });
    expect(limiter.figures().pausedUntil).toBe(new Date(clock.now() + 2000).toISOString());
    const waiting = [ask(limiter), ask(limiter)];
    await clock.advance(1999);
    expect(waiting.map((c) => c.got())).toEqual([false, false]);
    await clock.advance(1);
    expect(waiting.map((c) => c.got())).toEqual([true, true]);
    expect(limiter.figures()).toMatchObject({
      pausedUntil: null,
      waits: { count: 2, totalMs: 4000, lastMs: 2000, maxMs: 2000 },
    });
  });

  test('a longer retry-after extends the pause; a shorter one does not shorten it; a huge one is capped', async () => {
    const clock = new TestClock();
    const limiter = new ModelLimiter({ max: 4, clock });
    const [a, b, c] = [ask(limiter), ask(limiter), ask(limiter)];
    await settled();
    a.release!({ kind: 'limited', status: 429, retryAfterMs: 1000 });
    b.release!({ kind: 'limited', status: 429, retryAfterMs: 3000 });
    c.release!({ kind: 'limited', status: 429, retryAfterMs: 500 });
    const waiter = ask(limiter);
    await clock.advance(2999);
    expect(waiter.got()).toBe(false);
    await clock.advance(1);
    expect(waiter.got()).toBe(true);
    waiter.release!({ kind: 'limited', status: 529, retryAfterMs: 3_600_000 });
    expect(Date.parse(limiter.figures().pausedUntil!)).toBe(clock.now() + MAX_PAUSE_MS);
  });

  test('an aborted wait leaves the line with the reason, and the next in line moves up', async () => {
    const limiter = new ModelLimiter({ max: 1, clock: new TestClock() });
    const holder = ask(limiter);
    const controller = new AbortController();
    const quitter = ask(limiter, controller.signal);
    const next = ask(limiter);
    await settled();
    controller.abort(new Error('cancelled'));
    await quitter.done;
    expect(quitter.error).toEqual(new Error('cancelled'));
    expect(limiter.figures().queued).toBe(1);
    holder.release!();
    await settled();
    expect(next.got()).toBe(true);
    // Ending a turn twice gives back one turn, not two.
    holder.release!();
    expect(limiter.figures()).toMatchObject({ inFlight: 1, queued: 0 });
    const pre = new AbortController();
    pre.abort(new Error('already'));
    await expect(limiter.take(pre.signal)).rejects.toThrow('already');
  });

  test('an aborted call or another error neither slows it down nor climbs', async () => {
    const limiter = new ModelLimiter({ max: 2, clock: new TestClock() });
    const c = ask(limiter);
    await settled();
    c.release!({ kind: 'limited', status: 429 });
    for (let i = 0; i < 5; i++) {
      const d = ask(limiter);
      await settled();
      d.release!(i % 2 ? { kind: 'other' } : undefined);
    }
    expect(limiter.figures()).toMatchObject({ limit: 1, cuts: 1, calls: 6, ok: 0 });
  });

  test('tells its observer of each 429 and 529 and each new limit', async () => {
    const seen: string[] = [];
    const limiter = new ModelLimiter({
      max: 2,
      clock: new TestClock(),
      observe: { limited: (s) => seen.push(`limited ${s}`), limit: (l) => seen.push(`limit ${l}`) },
    });
    const c = ask(limiter);
    await settled();
    c.release!({ kind: 'limited', status: 529 });
    const d = ask(limiter);
    await settled();
    d.release!(ok);
    expect(seen).toEqual(['limited 529', 'limit 1', 'limit 2']);
  });

  test('refuses a maximum that is not a whole number of at least one', () => {
    expect(() => new ModelLimiter({ max: 0 })).toThrow(/whole number ≥ 1/);
  });
});
