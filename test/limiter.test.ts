/**
 * The worker's model-call limiter against the scripted server: it slows down on 429s and 529s,
 * waits out retry-after for every agent on the worker, climbs back as calls succeed, and shows
 * its figures through `orchestra limits` and GET /api/v1/limits.
 */
import { hostname } from 'node:os';
import type { LimitsView } from '../src/domain';
import { waitForAgent } from '../src/temporal/agents';
import { modelLimits } from '../src/temporal/limits';
import { useApi } from './helpers/api';
import { runCli } from './helpers/cli';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

const MAX = 4;
const h = useHarness({ modelLimits: { modelConcurrency: MAX } });
const api = useApi(h);

const look = () => modelLimits(h.client, h.taskQueue);
/** Long enough that a look (a workflow and its local activity) sees the pause on a loaded machine. */
const RETRY_AFTER_S = 4;
const turn = (delayMs: number) => ({ toolCalls: [{ name: 'list_files', input: {} }], delayMs });

describe('the model-call limiter', () => {
  test('a 429 with retry-after pauses every call of the worker, halves its limit, and the limit climbs back as calls succeed', async () => {
    const before = (await look()).model;
    expect(before).toMatchObject({ max: MAX, limit: MAX, pausedUntil: null });
    const limited = h.script([
      turn(50),
      { ...turn(50), errors: [{ status: 429, retryAfter: RETRY_AFTER_S }] },
      { text: 'limited, then done' },
    ]);
    // Three agents busy with short turns beside it: without the pause they would go on calling.
    const busy = Array.from({ length: 3 }, (_, i) =>
      h.script([...Array.from({ length: 30 }, () => turn(100)), { text: `busy ${i} done` }]),
    );
    const ids = await Promise.all([limited, ...busy].map((task) => h.spawn({ task })));

    // While the retry-after runs: the limit is halved and the pause is visible.
    const paused = await until(
      look,
      (v) => v.model.pausedUntil !== null,
      'the limiter pauses on the 429',
      30_000,
      20,
    );
    expect(paused.model).toMatchObject({ limit: MAX / 2, rateLimited: before.rateLimited + 1 });

    for (const id of ids) expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed' });
    const after = (await look()).model;
    expect(after).toMatchObject({
      max: MAX,
      limit: MAX, // climbed back: +1 for every `limit` calls that succeeded since the cut
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
    const before = (await look()).model;
    const task = h.script([{ text: 'recovered', errors: [{ status: 529, retryAfterMs: 1500 }] }]);
    expect(await waitForAgent(h.client, await h.spawn({ task }))).toMatchObject({ status: 'completed' });
    const [failed, retried] = h.requestsFor(task);
    expect([failed.status, retried.status]).toEqual([529, 200]);
    expect(retried.at - failed.answeredAt!).toBeGreaterThanOrEqual(1500);
    const after = (await look()).model;
    expect(after).toMatchObject({ overloaded: before.overloaded + 1, cuts: before.cuts + 1 });
    expect(after.lowest).toBeLessThan(MAX);
  });

  test('`orchestra limits` shows the figures, as a table and as JSON, naming the answering worker', async () => {
    const env = { TEMPORAL_ADDRESS: h.address, ORCHESTRA_TASK_QUEUE: h.taskQueue };
    const json = await runCli(['limits', '--json'], env);
    expect(json.code).toBe(0);
    const view = JSON.parse(json.stdout) as LimitsView;
    expect(view).toMatchObject({
      worker: `${process.pid}@${hostname()}`,
      taskQueue: h.taskQueue,
      workers: 1,
      model: { max: MAX, rateLimited: 1, overloaded: 1, cuts: 2, lowest: MAX / 2 },
    });
    expect(view.model.calls).toBeGreaterThan(90);
    const table = await runCli(['limits'], env);
    expect(table.code).toBe(0);
    expect(table.stdout).toContain(`worker ${process.pid}@${hostname()}, the one polling ${h.taskQueue}`);
    expect(table.stdout).toMatch(/limit now\s+\d+ calls at once \(of 4; lowest 2; cut 2 times\)/);
    expect(table.stdout).toMatch(/429 \/ 529\s+1 rate limited \/ 1 overloaded/);
  });

  test('GET /api/v1/limits answers any signed-in user with the same figures, and nobody else', async () => {
    const r = await api.call('carol', 'GET', '/limits');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({
      worker: `${process.pid}@${hostname()}`,
      taskQueue: h.taskQueue,
      workers: 1,
      model: { max: MAX, rateLimited: 1, overloaded: 1, pausedUntil: null },
    });
    expect((await api.call(undefined, 'GET', '/limits')).status).toBe(401);
  });
});
