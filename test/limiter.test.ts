/**
 * The worker's model-call limiter against the scripted server: it slows down on 429s and 529s,
 * waits out retry-after for every agent on the worker, climbs back as calls succeed, and shows
 * its figures through `orchestra limits` and GET /api/v1/limits. With ORCHESTRA_MODEL_RPM, the
 * rate the Temporal server keeps for the fleet falls on 429s and climbs back the same way.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { temporal } from '@temporalio/proto';
import { modelQueue, type LimitsView } from '../src/domain';
import { controlAgent, waitForAgent } from '../src/temporal/agents';
import { modelLimits } from '../src/temporal/limits';
import { useApi } from './helpers/api';
import { harnessEnv, runCliHere } from './helpers/cli';
import { useHarness, type Harness } from './helpers/harness';
import { until } from './helpers/poll';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

const MAX = 4;
const WORKER = `${process.pid}@${hostname()}`;
/** Long enough that a look (a workflow and its local activity) sees the pause on a loaded machine. */
const RETRY_AFTER_S = 4;
const turn = (delayMs: number) => ({ toolCalls: [{ name: 'list_files', input: {} }], delayMs });
const look = (h: Harness) => modelLimits(h.client, h.taskQueue);

describe('the model-call limiter', () => {
  const h = useHarness({ modelLimits: { modelConcurrency: MAX } });
  const api = useApi(h);

  test('a 429 with retry-after pauses every call of the worker, halves its limit, and the limit climbs back as calls succeed', async () => {
    const before = (await look(h)).model;
    expect(before).toMatchObject({ max: MAX, limit: MAX, pausedUntil: null });
    const limited = h.script([
      turn(50),
      { ...turn(50), errors: [{ status: 429, retryAfter: RETRY_AFTER_S }] },
      { text: 'limited, then done' },
    ]);
    // Three agents busy with short turns beside it, until the test cancels them: without the
    // pause they would go on calling.
    const busy = Array.from({ length: 3 }, () => h.script([turn(100)], { repeatLast: true }));
    const [limitedId, ...busyIds] = await Promise.all([limited, ...busy].map((task) => h.spawn({ task })));

    // While the retry-after runs: the limit is halved and the pause is visible.
    const paused = await until(
      () => look(h),
      (v) => v.model.pausedUntil !== null,
      'the limiter pauses on the 429',
      30_000,
      20,
    );
    expect(paused.model).toMatchObject({ limit: MAX / 2, rateLimited: before.rateLimited + 1 });

    // Climbed back as calls succeed: +1 for every `limit` calls that succeeded since the cut.
    await until(
      () => look(h),
      (v) => v.model.limit === MAX,
      'the limit climbing back',
      30_000,
      50,
    );
    const [done] = await Promise.all([
      waitForAgent(h.client, limitedId),
      ...busyIds.map((id) => controlAgent(h.client, id, 'cancel')),
    ]);
    expect(done).toMatchObject({ status: 'completed' });
    for (const id of busyIds) expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'cancelled' });
    // Once the cancelled agents' calls have ended too.
    const { model: after } = await until(
      () => look(h),
      (v) => v.model.inFlight === 0 && v.model.queued === 0,
      'every call ended',
    );
    expect(after).toMatchObject({
      max: MAX,
      limit: MAX,
      lowest: MAX / 2,
      cuts: before.cuts + 1,
      rateLimited: before.rateLimited + 1,
      pausedUntil: null,
      inFlight: 0,
      queued: 0,
    });
    // The busy agents' calls waited out the pause.
    expect(after.waits.count).toBeGreaterThan(before.waits.count);
    expect(after.waits.maxMs).toBeGreaterThanOrEqual(2000);

    // At the scripted server: the limited call came back no sooner than retry-after asked...
    const tries = h.requestsFor(limited).filter((r) => r.turn === 1);
    expect(tries.map((r) => r.status)).toEqual([429, 200]);
    expect(tries[1].at - tries[0].answeredAt!).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000);
    // ...and no other agent's call started within it either. (A call already past the limiter
    // when the 429 came in may still arrive just after it.)
    const quiet = h.model.requests.filter(
      (r) => r.at > tries[0].answeredAt! + 500 && r.at < tries[0].answeredAt! + RETRY_AFTER_S * 1000 - 10,
    );
    expect(quiet).toEqual([]);
    expect(h.model.maxInFlight()).toBeLessThanOrEqual(MAX);
  });

  test("a 529 with retry-after-ms (Anthropic's header) is waited out too, and counted as overloaded", async () => {
    const before = (await look(h)).model;
    const task = h.script([{ text: 'recovered', errors: [{ status: 529, retryAfterMs: 1500 }] }]);
    expect(await waitForAgent(h.client, await h.spawn({ task }))).toMatchObject({ status: 'completed' });
    const [failed, retried] = h.requestsFor(task);
    expect([failed.status, retried.status]).toEqual([529, 200]);
    expect(retried.at - failed.answeredAt!).toBeGreaterThanOrEqual(1500);
    const after = (await look(h)).model;
    expect(after).toMatchObject({ overloaded: before.overloaded + 1, cuts: before.cuts + 1 });
    expect(after.lowest).toBeLessThan(MAX);
  });

  test('`orchestra limits` shows the figures, as a table and as JSON, naming the answering worker', async () => {
    // A 429 of its own, so that what it shows does not hang on the tests before it.
    const task = h.script([{ text: 'done', errors: [{ status: 429, retryAfterMs: 100 }] }]);
    expect(await waitForAgent(h.client, await h.spawn({ task }))).toMatchObject({ status: 'completed' });
    const m = (await look(h)).model;
    expect(m.rateLimited).toBeGreaterThanOrEqual(1);
    const env = harnessEnv(h);
    const json = await runCliHere(['limits', '--json'], env);
    expect(json.code).toBe(0);
    const view = JSON.parse(json.stdout) as LimitsView;
    expect(view).toMatchObject({
      worker: WORKER,
      taskQueue: h.taskQueue,
      workers: 1,
      model: { max: MAX, calls: m.calls, rateLimited: m.rateLimited, overloaded: m.overloaded, cuts: m.cuts },
      fleet: null,
    });
    const table = await runCliHere(['limits'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`worker ${WORKER}, the one polling ${h.taskQueue}`);
    const times = m.cuts === 1 ? 'time' : 'times';
    expect(table.stdout).toMatch(
      new RegExp(`limit now\\s+\\d+ calls at once \\(of 4; lowest ${m.lowest}; cut ${m.cuts} ${times}\\)`),
    );
    expect(table.stdout).toMatch(
      new RegExp(`429 / 529\\s+${m.rateLimited} rate limited / ${m.overloaded} overloaded`),
    );
    expect(table.stdout).toMatch(/FLEET RATE\s+none: ORCHESTRA_MODEL_RPM is not set on this worker/);
  });

  test('GET /api/v1/limits answers any signed-in user with the same figures, and nobody else', async () => {
    const m = (await look(h)).model;
    const r = await api.call('carol', 'GET', '/limits');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      worker: WORKER,
      taskQueue: h.taskQueue,
      workers: 1,
      model: { max: MAX, calls: m.calls, rateLimited: m.rateLimited, overloaded: m.overloaded, cuts: m.cuts },
      fleet: null,
    });
    expect((await api.call(undefined, 'GET', '/limits')).status).toBe(401);
  });
});

describe("the fleet's rate (ORCHESTRA_MODEL_RPM), kept by the server", () => {
  const RPM = 600;
  /** Short, so the tests see a raise soon; long enough that a burst of 429s on a loaded machine falls within it. */
  const COOLDOWN_MS = 2000;
  const h = useHarness({
    modelLimits: {
      modelConcurrency: 2,
      modelCallsPerMinute: RPM,
      modelRate: { cooldownMs: COOLDOWN_MS, stepPerMinute: RPM / 2 },
    },
  });
  const { TaskQueueKind, TaskQueueType } = temporal.api.enums.v1;
  /** The second worker's process, stopped even when its test times out. */
  let second: WorkerProcess | undefined;
  afterEach(async () => {
    await second?.stop();
    second = undefined;
  });
  const cut = `orchestra cut: the provider answered 429; ${RPM} → ${RPM / 2} calls a minute`;

  /** The model queue's rate as the server keeps it (calls a minute; undefined: none of its own), and why. */
  async function serverRate(): Promise<{ perMinute?: number; reason: string }> {
    const { config } = await h.client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: modelQueue(h.taskQueue), kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      reportConfig: true,
    });
    const limit = config?.queueRateLimit;
    const rps = limit?.rateLimit ? (limit.rateLimit.requestsPerSecond ?? 0) : undefined;
    return {
      ...(rps === undefined ? {} : { perMinute: Math.round(rps * 60 * 1e6) / 1e6 }),
      reason: limit?.metadata?.reason ?? '',
    };
  }

  /** Each test starts with no rate of the server's own: the workers' ORCHESTRA_MODEL_RPM holds. */
  async function startAfresh(): Promise<void> {
    await h.client.workflowService.updateTaskQueueConfig({
      namespace: 'default',
      identity: 'limiter.test',
      taskQueue: modelQueue(h.taskQueue),
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
      updateQueueRateLimit: { reason: 'test: start afresh' },
    });
    expect(await serverRate()).toEqual({ reason: 'test: start afresh' });
  }

  test('a 429 halves the rate the server keeps for the fleet, and clean calls raise it back to ORCHESTRA_MODEL_RPM, never past it', async () => {
    await startAfresh();
    const before = (await look(h)).fleet!;
    expect(before).toMatchObject({ configured: RPM, current: RPM, floor: 1, cooldownMs: COOLDOWN_MS });
    // One 429, then calls that succeed until the test cancels the agent.
    const task = h.script([{ ...turn(50), errors: [{ status: 429, retryAfterMs: 200 }] }, turn(100)], {
      repeatLast: true,
    });
    const id = await h.spawn({ task });
    const seen: number[] = [];
    const watch = async () => {
      const rate = await serverRate();
      if (rate.perMinute !== undefined) seen.push(rate.perMinute);
      return rate;
    };
    const halved = await until(watch, (r) => r.perMinute === RPM / 2, "the server's rate halved", 30_000, 25);
    expect(halved.reason).toBe(cut);
    const back = await until(watch, (r) => r.perMinute === RPM, 'the rate raised back', 30_000, 50);
    expect(back.reason).toBe(`orchestra raise: calls succeed; ${RPM / 2} → ${RPM} calls a minute`);
    await controlAgent(h.client, id, 'cancel');
    expect(Math.min(...seen)).toBe(RPM / 2);
    expect(Math.max(...seen)).toBe(RPM);

    // `orchestra limits` (and GET /api/v1/limits, the same view) shows the fleet's rate and its last change.
    const after = (await look(h)).fleet!;
    expect(after).toMatchObject({
      configured: RPM,
      current: RPM,
      lowest: RPM / 2,
      cuts: before.cuts + 1,
      raises: before.raises + 1,
      lastChange: { reason: back.reason, by: WORKER },
    });
    const table = await runCliHere(['limits'], harnessEnv(h));
    expect(table.stdout).toMatch(
      new RegExp(`rate now\\s+${RPM} calls a minute \\(of ${RPM}; floor 1; lowest ${RPM / 2}\\)`),
    );
    expect(table.stdout).toContain(`by ${WORKER}: ${back.reason}`);
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'cancelled' });
  });

  test('two workers that hear the same burst of 429s cut the rate once', async () => {
    await startAfresh();
    // A second worker in a process of its own (one process runs one worker per queue), kept the same way.
    const other = startWorkerProcess(h, {
      ORCHESTRA_MODEL_RPM: String(RPM),
      ORCHESTRA_MODEL_CONCURRENCY: '2',
      ORCHESTRA_MODEL_RPM_COOLDOWN_SECONDS: String(COOLDOWN_MS / 1000),
      ORCHESTRA_LOG_LEVEL: 'error',
    });
    second = other;
    await until(
      () => modelPollers(),
      (pids) => pids.includes(other.child.pid!),
      'the second worker polling the model queue',
      90_000,
    );
    const here = h.workers[0].worker;
    const before = (await here.limits()).model.rateLimited;
    // Four calls at once and two slots a worker: each worker takes two. The scripted server holds
    // them until all four are there, answers one 429, and once its cut is on the server the other
    // three: both workers hear 429s of the burst after the cut was written, which must hold them
    // off. (Timed by delays from each call's start instead, the last 429 came past the cooldown
    // when the calls started far apart on a loaded machine, and cut the rate again.)
    const [first, rest] = ['first', 'rest'].map((name) => `limiter-${name}-${randomUUID()}`);
    const tasks = [first, rest, rest, rest].map((gate) =>
      h.script([{ text: 'done', gate, errors: [{ status: 429, retryAfterMs: 200 }] }]),
    );
    const burst = () => h.model.requests.filter((r) => tasks.some((t) => t.includes(`[${r.script}]`)));
    // Every value the rate takes meanwhile, in order: each lasts a cooldown at least, so a look
    // every 25 ms sees it.
    const seen: number[] = [];
    let watching = true;
    const watch = (async () => {
      while (watching) {
        const rate = (await serverRate()).perMinute;
        if (rate !== undefined && rate !== seen.at(-1)) seen.push(rate);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    try {
      const ids = await Promise.all(tasks.map((task) => h.spawn({ task })));
      await until(
        async () => burst().length,
        (n) => n === 4,
        'the four calls at the model',
        60_000,
      );
      h.model.openGate(first);
      await until(serverRate, (r) => r.perMinute === RPM / 2, "the first 429's cut", 30_000, 25);
      h.model.openGate(rest);
      for (const id of ids) expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed' });
    } finally {
      watching = false;
      await watch;
    }
    // Both workers heard 429s: this one two of the four, the other the rest...
    expect((await here.limits()).model.rateLimited - before).toBe(2);
    expect(burst().filter((r) => r.status === 429)).toHaveLength(4);
    // ...and the rate was halved once, not once a worker: one step down, to half. It may have
    // climbed back since, a step a cooldown (a loaded machine's slow agents saw 300, then 360).
    const steps = [RPM, ...seen]; // the rate before the burst: unset on the queue, or RPM
    const cuts = steps.filter((rate, i) => i > 0 && rate < steps[i - 1]);
    expect({ cuts, lowest: Math.min(...seen) }).toEqual({ cuts: [RPM / 2], lowest: RPM / 2 });
  });

  /** The pids of the workers polling the model queue. */
  async function modelPollers(): Promise<number[]> {
    const { pollers } = await h.client.workflowService.describeTaskQueue({
      namespace: 'default',
      taskQueue: { name: modelQueue(h.taskQueue), kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
      taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
    });
    return (pollers ?? []).map((p) => Number((p.identity ?? '').split('@')[0]));
  }
});
