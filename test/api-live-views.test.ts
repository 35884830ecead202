/**
 * GET /agents/:id answers within its wait however busy the agent's worker is: with a fresh
 * view, else the last one a worker gave (marked with its age), else what the server knows.
 */
import { LiveViews } from '../src/api/live-views';
import { useHarness } from './helpers/harness';
import { useApi } from './helpers/api';
import { until } from './helpers/poll';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const later = <V>(value: V, ms: number) => sleep(ms).then(() => value);

describe('LiveViews', () => {
  test('a view that comes in time is fresh, and kept', async () => {
    const views = new LiveViews(50);
    expect(await views.view('r', () => later({ n: 1 }, 5))).toMatchObject({ view: { n: 1 }, fresh: true });
    expect(views.size).toBe(1);
  });

  test('a slow view: nothing the first time, the kept view (with its time) after it lands', async () => {
    const views = new LiveViews(20);
    const before = Date.now();
    expect(await views.view('r', () => later({ n: 1 }, 60))).toEqual({ fresh: false });
    await sleep(80);
    const second = await views.view('r', () => later({ n: 2 }, 60));
    expect(second).toMatchObject({ view: { n: 1 }, fresh: false });
    expect(second.view && !second.fresh && second.asOf).toBeGreaterThanOrEqual(before);
  });

  test('GETs of one run share one query while it runs', async () => {
    const views = new LiveViews(100);
    let asked = 0;
    const ask = () => (asked++, later({ n: asked }, 30));
    const answers = await Promise.all([views.view('r', ask), views.view('r', ask), views.view('r', ask)]);
    expect(asked).toBe(1);
    expect(answers.every((a) => a.fresh && (a.view as { n: number }).n === 1)).toBe(true);
  });

  test('a failed query fails the GETs waiting for it; the next GET asks again', async () => {
    const views = new LiveViews(100);
    await expect(views.view('r', () => Promise.reject(new Error('no worker')))).rejects.toThrow('no worker');
    expect(await views.view('r', () => later({ n: 1 }, 1))).toMatchObject({ fresh: true });
  });
});

describe('GET /agents/:id of an agent whose worker is slow to answer', () => {
  const h = useHarness();
  const api = useApi(h, { viewWaitMs: 100 });

  test('answers within its wait, with the last view or the server status, and fresh views when the worker answers', async () => {
    // Long runs of local steps: every status query waits for the workflow task in flight.
    const step = { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 300 };
    const task = h.script([step], { repeatLast: true });
    const { body } = await api.call('alice', 'POST', '/agents', {
      task,
      cwd: await h.tempDir(),
      tuning: { localModelCallMs: 1500 },
      // It must outlive the test (cancelled at its end): 50 steps of 300 ms run out under load.
      limits: { maxIterations: 10_000, maxToolCalls: 10_000 },
    });
    const id: string = body.id;
    const answers: Array<{
      ms: number;
      partial?: string;
      asOf?: string;
      status: string;
      iterations?: number;
    }> = [];
    await until(
      async () => {
        const started = Date.now();
        const r = await api.call('alice', 'GET', `/agents/${id}`);
        expect(r.status).toBe(200);
        answers.push({ ms: Date.now() - started, ...r.body });
        await sleep(50);
        return answers;
      },
      // A kept view of a step done: under load the first kept view can come before any step is.
      (all) =>
        all.some((a) => a.asOf && (a.iterations ?? 0) > 0) &&
        all.some((a) => !a.partial && (a.iterations ?? 0) > 0),
      'never both a kept view of a step done and a fresh one',
    );
    const partial = answers.filter((a) => a.partial);
    expect(partial.length).toBeGreaterThan(0);
    for (const a of partial) {
      expect(a.status).toBe('running');
      // Within the GET's wait; or, for a GET that joined a query already running which then
      // timed out (a step held the workflow task past the query's own 5 s, under load), that.
      expect(a.partial).toMatch(/no worker answered the status query within (100|5000) ms/);
    }
    const kept = answers.find((a) => a.asOf && (a.iterations ?? 0) > 0)!;
    expect(kept.partial).toMatch(
      new RegExp(`its view as of ${kept.asOf!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`),
    );
    expect(kept.iterations).toBeGreaterThan(0);
    // The wait, plus the server's description of the agent: never the whole run of local steps.
    expect(Math.max(...partial.map((a) => a.ms))).toBeLessThan(1000);
    await api.call('alice', 'POST', `/agents/${id}/cancel`, {});
  }, 60_000);
});
