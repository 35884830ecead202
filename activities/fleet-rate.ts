/**
 * The fleet's model-call rate (ORCHESTRA_MODEL_RPM), adapted where it is kept: the Temporal
 * server's rate limit of the model queue (UpdateTaskQueueConfig). AIMD, as the worker's own
 * limiter does for calls at once: a 429 or 529 halves it (floor: `floorPerMinute`), clean calls
 * raise it by `stepPerMinute` a cooldown, up to the configured rate, which it never passes.
 *
 * The server's record of the last change (its time and reason) is what the fleet shares: a
 * worker that heard its 429 within a cooldown of a cut leaves the rate be (the same burst), and
 * nobody raises within a cooldown of any change. Two workers that read the rate at once both
 * write the same half, so a burst seen by many still cuts it once.
 *
 * Every server call is a side effect of a model call's outcome, run beside it: a failure is
 * logged, never the model call's. Rates are calls a minute here; the server keeps them a second.
 */
import { optionalTsToMs } from '@temporalio/common/lib/time';
import { temporal } from '@temporalio/proto';
import { Runtime } from '@temporalio/worker';
import { DEFAULTS } from '../src/config';
import { shownRate, type FleetRateFigures } from '../src/domain';

const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
type Service = Pick<
  temporal.api.workflowservice.v1.WorkflowService,
  'describeTaskQueue' | 'updateTaskQueueConfig'
>;

/** How the fleet's rate moves; the defaults suit a provider's per-minute limits. */
export interface FleetRateTuning {
  /** The least time between a change and the next cut or raise, fleet-wide. @default 30 s (ORCHESTRA_MODEL_RPM_COOLDOWN_SECONDS) */
  cooldownMs?: number;
  /** A cut never goes below this many calls a minute. @default 1 */
  floorPerMinute?: number;
  /** What one raise adds, calls a minute. @default a tenth of the configured rate (at least 1) */
  stepPerMinute?: number;
}

export interface FleetRateOptions extends FleetRateTuning {
  /** The configured rate, calls a minute (ORCHESTRA_MODEL_RPM): the most it is ever set to. */
  perMinute: number;
  /** The server: the worker's connection's WorkflowService. */
  service: Service;
  namespace: string;
  /** The model queue (`<queue>-model`). */
  taskQueue: string;
  /** Who changes it, as the server records it (pid@host). */
  identity: string;
  /** The server's clock is the one its update times are on; tests move this one. */
  now?: () => number;
  log?: (level: 'info' | 'warn', message: string) => void;
  /** Told of every rate the worker reads or writes (the Prometheus gauge). */
  observe?: (perMinute: number) => void;
}

/** What a change's reason starts with, and the kind it names after it. */
const MARK = 'orchestra';
type Kind = 'cut' | 'raise' | 'ceiling';
const KIND = new RegExp(`^${MARK} (cut|raise|ceiling):`);

/** The rate as the server reported it. */
interface Reading {
  perMinute: number;
  change?: { at: number; reason: string; by: string; kind?: Kind };
}

/** Rates read back from calls a second, without the float's noise. */
const tidy = (perMinute: number) => Math.round(perMinute * 1e6) / 1e6;

export class FleetRate {
  private readonly cooldownMs: number;
  private readonly floor: number;
  private readonly step: number;
  private readonly now: () => number;
  private readonly log: NonNullable<FleetRateOptions['log']>;
  private known: Reading | undefined;
  private lowest: number;
  private readonly counts = { cuts: 0, raises: 0 };
  private lastLimitedAt = -Infinity;
  /** The next time a clean call makes this worker look whether a raise is due. */
  private nextCheckAt = 0;
  /** One server conversation at a time; a 429 during a raise check cuts right after it. */
  private running: Promise<void> | undefined;
  private runningKind: 'cut' | 'check' | undefined;
  /** A 429 heard during a raise check: its status and when it came. */
  private cutAfter: { status: 429 | 529; heardAt: number } | undefined;
  private warnedAt = -Infinity;

  constructor(private readonly options: FleetRateOptions) {
    if (!(options.perMinute > 0))
      throw new RangeError(`the fleet's rate must be > 0, not ${options.perMinute}`);
    this.cooldownMs = options.cooldownMs ?? DEFAULTS.ORCHESTRA_MODEL_RPM_COOLDOWN_SECONDS * 1000;
    this.floor = Math.min(options.floorPerMinute ?? 1, options.perMinute);
    this.step = options.stepPerMinute ?? Math.max(1, options.perMinute / 10);
    this.now = options.now ?? Date.now;
    this.log =
      options.log ??
      ((level, message) => Runtime.instance().logger[level](message, { taskQueue: options.taskQueue }));
    this.lowest = options.perMinute;
  }

  /** The provider answered 429 or 529: cut the fleet's rate, unless the fleet just did. */
  limited(status: 429 | 529): void {
    this.lastLimitedAt = this.now();
    this.run('cut', { status, heardAt: this.lastLimitedAt });
  }

  /** A call got its reply: now and then, look whether the rate may climb. */
  replied(): void {
    if (this.now() >= this.nextCheckAt) this.run('check');
  }

  /** Resolves when no server call of this worker runs (tests wait on it). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** What `orchestra limits` shows: the server's rate now, read afresh, and this worker's share in it. */
  async figures(): Promise<FleetRateFigures> {
    let error: string | undefined;
    try {
      await this.read();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    const change = this.known?.change;
    return {
      taskQueue: this.options.taskQueue,
      configured: this.options.perMinute,
      floor: this.floor,
      current: error === undefined && this.known ? this.known.perMinute : null,
      lowest: this.lowest,
      cooldownMs: this.cooldownMs,
      lastChange: change
        ? { at: new Date(change.at).toISOString(), reason: change.reason, by: change.by }
        : null,
      ...this.counts,
      ...(error === undefined ? {} : { error }),
    };
  }

  private run(kind: 'cut' | 'check', heard?: { status: 429 | 529; heardAt: number }): void {
    if (this.running) {
      // A cut already running covers this 429 (the same burst); a check does not.
      if (kind === 'cut' && this.runningKind === 'check') this.cutAfter = heard;
      return;
    }
    this.runningKind = kind;
    this.running = (kind === 'cut' ? this.cut(heard!) : this.check())
      .catch((err: unknown) => {
        // Once a cooldown at most: a server without the API would otherwise log every 429.
        if (this.now() - this.warnedAt < this.cooldownMs) return;
        this.warnedAt = this.now();
        this.log(
          'warn',
          `the fleet's model-call rate was not adapted: ${err instanceof Error ? err.message : err}`,
        );
      })
      .finally(() => {
        this.running = undefined;
        this.runningKind = undefined;
        const after = this.cutAfter;
        this.cutAfter = undefined;
        if (after) this.run('cut', after);
      });
  }

  private async cut({ status, heardAt }: { status: 429 | 529; heardAt: number }): Promise<void> {
    const rate = await this.read();
    // Judged by when the 429 came, not when the read came back: a slow server (a loaded
    // machine) must not make a 429 of the same burst look like a later one.
    const since = rate.change ? heardAt - rate.change.at : Infinity;
    if (rate.change?.kind === 'cut' && since < this.cooldownMs) return; // the fleet cut it for this burst
    const to = Math.max(this.floor, tidy(rate.perMinute / 2));
    if (to >= rate.perMinute) return; // at the floor already
    await this.write(
      'cut',
      to,
      `the provider answered ${status}; ${shownRate(rate.perMinute)} → ${shownRate(to)} calls a minute`,
    );
    this.counts.cuts += 1;
  }

  /** Raise the rate when no change and no 429 of this worker came for a cooldown; hold it under the configured rate. */
  private async check(): Promise<void> {
    // Before the read: a server that fails is asked again a cooldown later, not on every reply.
    this.nextCheckAt = this.now() + this.cooldownMs;
    const rate = await this.read();
    const ceiling = this.options.perMinute;
    const now = this.now();
    if (rate.perMinute > ceiling) {
      // Set higher by an operator or by workers with a higher ORCHESTRA_MODEL_RPM: the server's rate replaces the workers' own.
      await this.write('ceiling', ceiling, `ORCHESTRA_MODEL_RPM is ${shownRate(ceiling)}`);
      return;
    }
    if (rate.perMinute === ceiling) return;
    const due = Math.max(rate.change?.at ?? -Infinity, this.lastLimitedAt) + this.cooldownMs;
    if (now < due) {
      this.nextCheckAt = due;
      return;
    }
    const to = Math.min(ceiling, tidy(rate.perMinute + this.step));
    await this.write(
      'raise',
      to,
      `calls succeed; ${shownRate(rate.perMinute)} → ${shownRate(to)} calls a minute`,
    );
    this.counts.raises += 1;
  }

  private queue() {
    return { name: this.options.taskQueue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL };
  }

  private async read(): Promise<Reading> {
    const { config } = await this.options.service.describeTaskQueue({
      namespace: this.options.namespace,
      taskQueue: this.queue(),
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      reportConfig: true,
    });
    return this.learn(config?.queueRateLimit);
  }

  private async write(kind: Kind, perMinute: number, why: string): Promise<void> {
    const reason = `${MARK} ${kind}: ${why}`;
    const { config } = await this.options.service.updateTaskQueueConfig({
      namespace: this.options.namespace,
      identity: this.options.identity,
      taskQueue: this.options.taskQueue,
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      updateQueueRateLimit: { rateLimit: { requestsPerSecond: perMinute / 60 }, reason },
    });
    this.log('info', `the fleet's model-call rate: ${reason}`);
    this.learn(config?.queueRateLimit);
  }

  /** Remember what the server says; without a rate of its own, the workers' (the configured one) holds. */
  private learn(limit: temporal.api.taskqueue.v1.IRateLimitConfig | null | undefined): Reading {
    const rps = limit?.rateLimit ? (limit.rateLimit.requestsPerSecond ?? 0) : undefined;
    const at = optionalTsToMs(limit?.metadata?.updateTime);
    const reason = limit?.metadata?.reason ?? '';
    const kind = KIND.exec(reason)?.[1] as Kind | undefined;
    const reading: Reading = {
      perMinute: rps === undefined ? this.options.perMinute : tidy(rps * 60),
      ...(at === undefined
        ? {}
        : { change: { at, reason, by: limit?.metadata?.updateIdentity ?? '', ...(kind ? { kind } : {}) } }),
    };
    this.known = reading;
    this.lowest = Math.min(this.lowest, reading.perMinute);
    this.options.observe?.(reading.perMinute);
    return reading;
  }
}
