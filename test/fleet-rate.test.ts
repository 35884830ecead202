/**
 * The fleet's model-call rate on its own (activities/fleet-rate.ts), against a stand-in for the
 * server's task-queue config, on a clock the test moves: 429s halve it once per cooldown however
 * many workers hear them, clean calls raise it back up to ORCHESTRA_MODEL_RPM, and a server that
 * fails costs a log line. test/limiter.test.ts runs it against the real dev server.
 */
import { msToTs } from '@temporalio/common/lib/time';
import type { temporal } from '@temporalio/proto';
import { FleetRate, type FleetRateOptions } from '../activities/fleet-rate';

type RateLimitConfig = temporal.api.taskqueue.v1.IRateLimitConfig;

/** The server's config of one queue: what UpdateTaskQueueConfig writes and DescribeTaskQueue reads. */
class ConfigServer {
  config: RateLimitConfig | undefined;
  updates: string[] = [];
  fail: Error | undefined;
  /** How far the clock moves while a read is answered (a loaded server). */
  readMs = 0;
  constructor(private readonly clock: { now: number }) {}
  /** Reads answer after the caller yields, as a network call would: two workers can both read before either writes. */
  describeTaskQueue = async () => {
    await new Promise((resolve) => setImmediate(resolve));
    this.clock.now += this.readMs;
    if (this.fail) throw this.fail;
    return { config: this.config ? { queueRateLimit: this.config } : null };
  };
  updateTaskQueueConfig = async (request: temporal.api.workflowservice.v1.IUpdateTaskQueueConfigRequest) => {
    await new Promise((resolve) => setImmediate(resolve));
    if (this.fail) throw this.fail;
    const update = request.updateQueueRateLimit!;
    this.updates.push(update.reason!);
    this.config = {
      rateLimit: update.rateLimit,
      metadata: {
        reason: update.reason,
        updateIdentity: request.identity,
        updateTime: msToTs(this.clock.now),
      },
    };
    return { config: { queueRateLimit: this.config } };
  };
  /** Calls a minute now. */
  rate(): number | undefined {
    const rps = this.config?.rateLimit?.requestsPerSecond;
    return rps === undefined || rps === null ? undefined : Math.round(rps * 60 * 1e6) / 1e6;
  }
}

const COOLDOWN = 10_000;

function setup() {
  const clock = { now: 1_000_000 };
  const server = new ConfigServer(clock);
  const logs: string[] = [];
  const worker = (identity: string, extra: Partial<FleetRateOptions> = {}) =>
    new FleetRate({
      perMinute: 600,
      cooldownMs: COOLDOWN,
      stepPerMinute: 100,
      service: server as unknown as FleetRateOptions['service'],
      namespace: 'default',
      taskQueue: 'q-model',
      identity,
      now: () => clock.now,
      log: (level, message) => logs.push(`${level} ${message}`),
      ...extra,
    });
  return { clock, server, logs, worker };
}

test("a 429 halves the fleet's rate; 429s within a cooldown of that cut are the same burst; later ones halve it again, never under the floor", async () => {
  const { clock, server, worker } = setup();
  const a = worker('1@a', { floorPerMinute: 100 });
  a.limited(429);
  await a.idle();
  expect(server.rate()).toBe(300);
  expect(server.config?.metadata).toMatchObject({
    reason: 'orchestra cut: the provider answered 429; 600 → 300 calls a minute',
    updateIdentity: '1@a',
  });
  clock.now += COOLDOWN - 1;
  a.limited(529);
  await a.idle();
  expect(server.rate()).toBe(300);
  clock.now += 1;
  a.limited(529);
  await a.idle();
  expect(server.rate()).toBe(150);
  clock.now += COOLDOWN;
  a.limited(429);
  await a.idle();
  expect(server.rate()).toBe(100); // the floor, not 75
  clock.now += COOLDOWN;
  a.limited(429);
  await a.idle();
  expect(server.updates).toHaveLength(3);
  expect(await a.figures()).toMatchObject({ current: 100, lowest: 100, cuts: 3, raises: 0, configured: 600 });
});

test('two workers hearing the same burst cut it once, and a third that hears it late leaves it be', async () => {
  const { clock, server, worker } = setup();
  const [a, b, c] = [worker('1@a'), worker('2@b'), worker('3@c')];
  // Both read 600 before either writes: both write the same half.
  a.limited(429);
  b.limited(429);
  a.limited(429); // a's own second 429 of the burst, while its cut runs: no second look
  await Promise.all([a.idle(), b.idle()]);
  expect(server.rate()).toBe(300);
  clock.now += 2000;
  c.limited(429);
  await c.idle();
  expect(server.rate()).toBe(300);
  expect(server.updates.length).toBeLessThanOrEqual(2);
});

test('a 429 heard within a cooldown of the cut is the same burst, however late the server answers the read', async () => {
  const { clock, server, worker } = setup();
  const [a, b] = [worker('1@a'), worker('2@b')];
  a.limited(429);
  await a.idle();
  expect(server.rate()).toBe(300);
  clock.now += COOLDOWN - 500;
  // b hears the burst's last 429 now; the loaded server answers its read a second later.
  server.readMs = 1000;
  b.limited(429);
  await b.idle();
  expect(server.rate()).toBe(300);
  expect(server.updates).toHaveLength(1);
});

test('clean calls raise it a step a cooldown, once across the fleet, up to the configured rate and no further', async () => {
  const { clock, server, worker } = setup();
  const [a, b] = [worker('1@a', { stepPerMinute: 200 }), worker('2@b', { stepPerMinute: 200 })];
  a.limited(429);
  await a.idle();
  expect(server.rate()).toBe(300);
  // Within a cooldown of the cut: no raise.
  clock.now += COOLDOWN - 1;
  b.replied();
  await b.idle();
  expect(server.rate()).toBe(300);
  // a heard the 429 itself: it holds off for a cooldown from it; b did not.
  clock.now += 1;
  b.replied();
  b.replied();
  await b.idle();
  expect(server.rate()).toBe(500);
  a.replied(); // a cooldown since b's raise has not passed
  await a.idle();
  expect(server.rate()).toBe(500);
  clock.now += COOLDOWN;
  a.replied();
  await a.idle();
  expect(server.rate()).toBe(600); // 700 would pass ORCHESTRA_MODEL_RPM
  clock.now += COOLDOWN;
  a.replied();
  b.replied();
  await Promise.all([a.idle(), b.idle()]);
  expect(server.rate()).toBe(600);
  expect(server.config?.metadata?.reason).toBe('orchestra raise: calls succeed; 500 → 600 calls a minute');
  expect([(await a.figures()).raises, (await b.figures()).raises]).toEqual([1, 1]);
});

test("a worker's own 429 holds off its raises for a cooldown", async () => {
  const { clock, server, worker } = setup();
  const a = worker('1@a');
  a.limited(429);
  await a.idle();
  clock.now += COOLDOWN - 100;
  a.limited(429); // within the cooldown: no cut, but a heard it
  await a.idle();
  clock.now += 200;
  a.replied();
  await a.idle();
  expect(server.rate()).toBe(300);
  clock.now += COOLDOWN;
  a.replied();
  await a.idle();
  expect(server.rate()).toBe(400);
});

test('a rate set above ORCHESTRA_MODEL_RPM (by an operator, or an older fleet) is brought down to it', async () => {
  const { clock, server, worker } = setup();
  server.config = {
    rateLimit: { requestsPerSecond: 50 },
    metadata: { reason: 'by hand', updateIdentity: 'temporal-cli', updateTime: msToTs(clock.now) },
  };
  const a = worker('1@a');
  a.replied();
  await a.idle();
  expect(server.rate()).toBe(600);
  expect(server.config.metadata?.reason).toBe('orchestra ceiling: ORCHESTRA_MODEL_RPM is 600');
});

test('a server that fails costs a log line: no model call hears of it, and the figures say why they lack the rate', async () => {
  const { server, logs, worker } = setup();
  const a = worker('1@a');
  server.fail = new Error('14 UNAVAILABLE: the server is down');
  a.limited(429);
  a.replied();
  await a.idle();
  // Replies do not ask a failing server again before a cooldown has passed; a 429 does. One warning a cooldown.
  const asked = jest.spyOn(server, 'describeTaskQueue');
  for (let i = 0; i < 3; i++) {
    a.replied();
    await a.idle();
  }
  a.limited(429);
  await a.idle();
  expect(asked).toHaveBeenCalledTimes(2);
  expect(logs).toEqual([
    "warn the fleet's model-call rate was not adapted: 14 UNAVAILABLE: the server is down",
  ]);
  expect(await a.figures()).toMatchObject({ current: null, error: '14 UNAVAILABLE: the server is down' });
  server.fail = undefined;
  a.limited(429);
  await a.idle();
  expect(server.rate()).toBe(300);
  expect(await a.figures()).toMatchObject({ current: 300, cuts: 1 });
});
