/**
 * The worker's model-call limiter: every model call, local or queued, takes a turn here.
 * AIMD on the calls at once: the limit starts at the configured maximum, is halved (floor 1)
 * when the provider answers 429 or 529, and climbs back by one for every `limit` calls that
 * succeed, up to the maximum. A retry-after (or retry-after-ms) pauses every new call of the
 * worker until it has passed. Calls wait in order; an aborted one leaves the line.
 */
import type { LimiterFigures } from '../src/domain';

/** How a call that held a turn ended. */
export type CallOutcome =
  | { kind: 'ok' }
  | { kind: 'limited'; status: 429 | 529; retryAfterMs?: number }
  /** Anything else (a 400, a network error, a cancelled call): neither slows nor climbs. */
  | { kind: 'other' };

/** Time and timers, injected so the unit tests can drive them. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  // The worker keeps the process alive; a pending pause alone should not.
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

/**
 * A single retry-after pauses the whole worker at most this long: the call that got it still
 * waits the full time (Temporal's next retry delay), the others try again sooner.
 */
export const MAX_PAUSE_MS = 60_000;

export interface LimiterOptions {
  /** The most calls at once (ORCHESTRA_MODEL_CONCURRENCY). */
  max: number;
  clock?: Clock;
  /**
   * Told of each 429 or 529 and each change of the limit (the Prometheus metrics), and of each
   * reply (the fleet's rate climbs on them: activities/fleet-rate.ts).
   */
  observe?: { limited(status: 429 | 529): void; limit(limit: number): void; replied?(): void };
}

interface Waiter {
  askedAt: number;
  grant(): void;
}

/** The end of a turn: says how the call went, once; later calls are ignored. */
export type Release = (outcome?: CallOutcome) => void;

export class ModelLimiter {
  private readonly clock: Clock;
  private limit: number;
  private lowest: number;
  private inFlight = 0;
  private readonly waiting: Waiter[] = [];
  /** Bumped by each cut: a 429 of a call that started before the last cut is the same news. */
  private epoch = 0;
  /** Successes of calls started since the last change of the limit. */
  private credit = 0;
  private pausedUntil = 0;
  private timer: { handle: unknown; at: number } | undefined;
  private readonly counts = { calls: 0, ok: 0, rateLimited: 0, overloaded: 0, cuts: 0 };
  private readonly waits = { count: 0, totalMs: 0, lastMs: 0, maxMs: 0 };

  constructor(private readonly options: LimiterOptions) {
    if (!Number.isInteger(options.max) || options.max < 1)
      throw new RangeError(`the model-call limit must be a whole number ≥ 1, not ${options.max}`);
    this.clock = options.clock ?? systemClock;
    this.limit = options.max;
    this.lowest = options.max;
  }

  /** Wait for a turn; the returned function ends it. Rejects with the signal's reason when it aborts first. */
  take(signal?: AbortSignal): Promise<Release> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    const askedAt = this.clock.now();
    if (this.waiting.length === 0 && this.open()) return Promise.resolve(this.start(askedAt));
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = {
        askedAt,
        grant: () => {
          signal?.removeEventListener('abort', abort);
          resolve(this.start(askedAt));
        },
      };
      const abort = () => {
        const i = this.waiting.indexOf(waiter);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', abort, { once: true });
      this.waiting.push(waiter);
      this.pump();
    });
  }

  figures(): LimiterFigures {
    const now = this.clock.now();
    return {
      max: this.options.max,
      limit: this.limit,
      lowest: this.lowest,
      inFlight: this.inFlight,
      queued: this.waiting.length,
      ...this.counts,
      waits: { ...this.waits },
      pausedUntil: this.pausedUntil > now ? new Date(this.pausedUntil).toISOString() : null,
    };
  }

  private open(): boolean {
    return this.inFlight < this.limit && this.clock.now() >= this.pausedUntil;
  }

  private start(askedAt: number): Release {
    const waited = this.clock.now() - askedAt;
    if (waited > 0) {
      this.waits.count += 1;
      this.waits.totalMs += waited;
      this.waits.lastMs = waited;
      this.waits.maxMs = Math.max(this.waits.maxMs, waited);
    }
    this.inFlight += 1;
    this.counts.calls += 1;
    const epoch = this.epoch;
    let ended = false;
    return (outcome = { kind: 'other' }) => {
      if (ended) return;
      ended = true;
      this.inFlight -= 1;
      this.settle(outcome, epoch);
      this.pump();
    };
  }

  private settle(outcome: CallOutcome, epoch: number): void {
    if (outcome.kind === 'ok') {
      this.counts.ok += 1;
      this.options.observe?.replied?.();
      // Only calls made at the current limit say it is safe to go higher.
      if (epoch !== this.epoch || this.limit >= this.options.max) return;
      this.credit += 1;
      if (this.credit < this.limit) return;
      this.credit = 0;
      this.limit += 1;
      this.options.observe?.limit(this.limit);
      return;
    }
    if (outcome.kind !== 'limited') return;
    this.options.observe?.limited(outcome.status);
    if (outcome.status === 429) this.counts.rateLimited += 1;
    else this.counts.overloaded += 1;
    if (outcome.retryAfterMs !== undefined)
      this.pausedUntil = Math.max(
        this.pausedUntil,
        this.clock.now() + Math.min(outcome.retryAfterMs, MAX_PAUSE_MS),
      );
    // One cut per burst: the calls that started at the old limit all hear the same 429.
    if (epoch === this.epoch) {
      this.epoch += 1;
      this.credit = 0;
      this.limit = Math.max(1, Math.floor(this.limit / 2));
      this.lowest = Math.min(this.lowest, this.limit);
      this.counts.cuts += 1;
      this.options.observe?.limit(this.limit);
    }
  }

  /** Let waiting calls start while the limit and the pause allow; wake up when a pause ends. */
  private pump(): void {
    while (this.waiting.length > 0 && this.open()) this.waiting.shift()!.grant();
    if (this.waiting.length === 0 || this.clock.now() >= this.pausedUntil) return;
    if (this.timer?.at === this.pausedUntil) return;
    if (this.timer) this.clock.clearTimeout(this.timer.handle);
    const at = this.pausedUntil;
    this.timer = {
      at,
      handle: this.clock.setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, at - this.clock.now()),
    };
  }
}
