/**
 * Failed sign-ins per remote address, in a sliding window: past `max` in `windowMs`, the
 * address's next sign-ins are refused (429, Retry-After) until its oldest failure leaves the
 * window, whatever token they carry, so guessing gets nowhere. In memory, per process, and
 * bounded: past `maxAddresses` the address heard from least recently is forgotten.
 */
export interface LoginAttemptsOptions {
  /** @default 10 */
  max?: number;
  /** @default 10 minutes */
  windowMs?: number;
  /** @default 10_000 */
  maxAddresses?: number;
  now?: () => number;
}

export class LoginAttempts {
  readonly max: number;
  readonly windowMs: number;
  private readonly maxAddresses: number;
  private readonly now: () => number;
  /** Address → times of its failures in the window, oldest first; Map order is least recently failed first. */
  private readonly failures = new Map<string, number[]>();

  constructor(options: LoginAttemptsOptions = {}) {
    this.max = options.max ?? 10;
    this.windowMs = options.windowMs ?? 10 * 60 * 1000;
    this.maxAddresses = options.maxAddresses ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /** Seconds until `address` may try again; 0 when it may now. */
  retryAfter(address: string): number {
    const times = this.recent(address);
    if (times.length < this.max) return 0;
    return Math.max(1, Math.ceil((times[times.length - this.max] + this.windowMs - this.now()) / 1000));
  }

  failed(address: string): void {
    const times = this.recent(address);
    times.push(this.now());
    this.failures.delete(address);
    this.failures.set(address, times.slice(-this.max));
    if (this.failures.size > this.maxAddresses) {
      this.failures.delete(this.failures.keys().next().value!);
    }
  }

  private recent(address: string): number[] {
    const since = this.now() - this.windowMs;
    const times = (this.failures.get(address) ?? []).filter((t) => t > since);
    if (times.length === 0) this.failures.delete(address);
    return times;
  }
}
