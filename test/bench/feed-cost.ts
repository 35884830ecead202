/**
 * `npm run bench`, part "feed": what the feed (src/api/feed-hub.ts) costs the Temporal server.
 * On one dev server: no agents; then 1,000 finished agents; then 100 more running (each in a
 * model call of ten minutes, so they stay at work through the measurement). In each setting,
 * over a fixed window, with no feed connection, one (SSE), and ten (five SSE, five WebSocket):
 * the hub's Temporal calls (its `calls`) and the dev server's CPU seconds (/proc). Each setting
 * gets an API process of its own, so a hub that lingers after its listeners leave does not
 * tick into the next one's "no feed" window.
 */
import type { ApiServer } from '../../src/api/server';
import { agentWorkflowId } from '../../src/domain';
import { listChanges } from '../../src/temporal/changes';
import { waitForAgent } from '../../src/temporal/agents';
import { FeedClient } from '../helpers/feed';
import { startBenchApi } from './api-latency';
import { LARGE_LIMITS } from './swarm-scale';
import { addRow, settings, times } from './report';
import { cpuSeconds, withServer } from './server';

const RUNNING = settings.quick ? 10 : 100;
const FINISHED = settings.quick ? 100 : 1000;
const WINDOW_MS = settings.quick ? 5_000 : 15_000;
/** After connecting, before measuring: the hub's first ticks read what started or closed in its overlap. */
const WARMUP_MS = 3_000;

interface Window {
  ticks: number;
  lists: number;
  describes: number;
  events: number;
  tickMs: number;
  /** The dev server's CPU seconds over the window. */
  serverCpu: number;
  /** This process's (worker, scripted model, API and its hub): CPU seconds over the window. */
  benchCpu: number;
  seconds: number;
  frames: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** An open feed connection: frames counted, closed on demand. */
interface Connection {
  frames(): number;
  close(): void;
}

async function openSse(api: ApiServer): Promise<Connection> {
  const abort = new AbortController();
  const r = await fetch(`${api.url}/api/v1/events`, { signal: abort.signal });
  if (!r.ok || !r.body) throw new Error(`GET /events: ${r.status}`);
  let frames = 0;
  const reader = r.body.getReader();
  const decoder = new TextDecoder();
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      frames += (decoder.decode(value, { stream: true }).match(/^event: /gm) ?? []).length;
    }
  })().catch(() => undefined);
  return { frames: () => frames, close: () => abort.abort() };
}

async function openWs(api: ApiServer): Promise<Connection> {
  const client = await FeedClient.open(`${api.url.replace(/^http/, 'ws')}/api/v1/ws`);
  return { frames: () => client.frames.length, close: () => client.close() };
}

async function measure(api: ApiServer, serverPid: number, connections: Connection[]): Promise<Window> {
  const calls = { ...api.feed.calls };
  const frames = connections.reduce((n, c) => n + c.frames(), 0);
  const server = cpuSeconds(serverPid);
  const bench = process.cpuUsage();
  const started = performance.now();
  await sleep(WINDOW_MS);
  const used = process.cpuUsage(bench);
  const now = api.feed.calls;
  return {
    ticks: now.ticks - calls.ticks,
    lists: now.lists - calls.lists,
    describes: now.describes - calls.describes,
    events: now.events - calls.events,
    tickMs: now.tickMs - calls.tickMs,
    serverCpu: cpuSeconds(serverPid) - server,
    benchCpu: (used.user + used.system) / 1e6,
    seconds: (performance.now() - started) / 1000,
    frames: connections.reduce((n, c) => n + c.frames(), 0) - frames,
  };
}

const callsOf = (w: Window) => w.lists + w.describes + w.events;
const perTick = (w: Window) => (w.ticks ? callsOf(w) / w.ticks : 0);
const perSecond = (w: Window) => callsOf(w) / w.seconds;
const cpu = (s: number) => `${s.toFixed(2)} s`;

function describe(label: string, w: Window): void {
  const t = Math.max(1, w.ticks);
  console.log(
    `${label} | ${w.ticks} | ${(w.lists / t).toFixed(2)} / ${(w.describes / t).toFixed(2)} / ${(w.events / t).toFixed(2)}` +
      ` | ${perSecond(w).toFixed(1)} | ${(w.tickMs / t).toFixed(1)} ms | ${cpu(w.serverCpu)} | ${cpu(w.benchCpu)} | ${w.frames}`,
  );
}

/** No feed, one connection, ten: each window on the same API, its hub started by the first connection. */
async function threeWindows(
  api: ApiServer,
  serverPid: number,
  label: string,
): Promise<{ none: Window; one: Window; ten: Window }> {
  const none = await measure(api, serverPid, []);
  describe(`${label}, no feed`, none);
  const connections = [await openSse(api)];
  try {
    await sleep(WARMUP_MS);
    const one = await measure(api, serverPid, connections);
    describe(`${label}, 1 connection`, one);
    for (let i = 0; i < 9; i++) connections.push(await (i < 4 ? openSse(api) : openWs(api)));
    await sleep(WARMUP_MS);
    const ten = await measure(api, serverPid, connections);
    describe(`${label}, 10 connections`, ten);
    return { none, one, ten };
  } finally {
    for (const c of connections) c.close();
  }
}

export async function feedCost(): Promise<void> {
  await withServer(LARGE_LIMITS, async (h, cwd, server) => {
    const pid = server.process.pid;
    if (pid === undefined) throw new Error('the dev server has no pid');
    console.log(
      `\nfeed cost: ${FINISHED} finished agents, then ${RUNNING} running beside them; windows of ${WINDOW_MS / 1000} s`,
    );
    console.log(
      'setting | ticks | lists / describes / events per tick | Temporal calls/s | ms a tick | dev server CPU | bench process CPU | frames',
    );

    // Nothing on the server: what one connection costs with no agents at all.
    let api = await startBenchApi(h);
    let empty: Window;
    try {
      const c = await openSse(api);
      await sleep(WARMUP_MS);
      empty = await measure(api, pid, [c]);
      c.close();
      describe('no agents, 1 connection', empty);
    } finally {
      await api.close();
    }

    // FINISHED agents of one turn, 50 started at a time.
    const made = performance.now();
    const task = h.script([{ text: 'done' }], { task: 'finished' });
    const ids: string[] = [];
    for (let i = 0; i < FINISHED; i += 50) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(50, FINISHED - i) }, () => h.spawn({ task, cwd })),
      );
      ids.push(...batch);
      await Promise.all(batch.map((id) => waitForAgent(h.client, id)));
    }
    console.log(`(${FINISHED} finished agents made in ${((performance.now() - made) / 1000).toFixed(0)} s)`);
    await sleep(11_000); // past the feed's 10 s overlap: the just-closed are no longer "closed since"

    api = await startBenchApi(h);
    let idle: Awaited<ReturnType<typeof threeWindows>>;
    try {
      idle = await threeWindows(api, pid, `${FINISHED} finished`);
    } finally {
      await api.close();
    }

    // RUNNING agents in a model call of ten minutes: at work (`running`) all through.
    const busy = h.busyTask(600_000);
    const running = await Promise.all(Array.from({ length: RUNNING }, () => h.spawn({ task: busy, cwd })));
    const deadline = Date.now() + 60_000;
    for (;;) {
      const atWork = (await listChanges(h.client, new Date())).filter((c) => c.active).length;
      if (atWork >= RUNNING) break;
      if (Date.now() > deadline) throw new Error(`only ${atWork} of ${RUNNING} agents at work after 60 s`);
      await sleep(500);
    }
    await sleep(3_000);

    api = await startBenchApi(h);
    let busyRun: Awaited<ReturnType<typeof threeWindows>>;
    try {
      busyRun = await threeWindows(api, pid, `${FINISHED} finished + ${RUNNING} running`);
    } finally {
      await api.close();
      await Promise.all(
        running.map((id) =>
          h.client.workflow
            .getHandle(agentWorkflowId(id))
            .terminate('the bench is done')
            .catch(() => undefined),
        ),
      );
    }

    const settingName = `${FINISHED.toLocaleString('en')} finished agents`;
    const ratio = (a: number, b: number) => (b > 0 ? times(a / b) : '—');
    const window = `${WINDOW_MS / 1000} s`;
    addRow({
      figure: `feed: Temporal calls per tick, ${settingName}, 0 running, 1 connection (lists / describes / events)`,
      baseline: `no agents ${perTick(empty).toFixed(2)}`,
      orchestra: `${perTick(idle.one).toFixed(2)} (${(idle.one.lists / idle.one.ticks).toFixed(2)} / ${(idle.one.describes / idle.one.ticks).toFixed(2)} / ${(idle.one.events / idle.one.ticks).toFixed(2)})`,
      ratio: ratio(perTick(idle.one), perTick(empty)),
      target: 'flat: ≤ 1.05x',
      met: perTick(idle.one) <= 1.05 * perTick(empty),
    });
    const cpuRow = (what: string, r: { none: Window; one: Window; ten: Window }) =>
      addRow({
        figure: `feed: dev server CPU over ${window}, ${what}, with 1 / 10 connections vs none`,
        baseline: `no feed ${cpu(r.none.serverCpu)}`,
        orchestra: `${cpu(r.one.serverCpu)} / ${cpu(r.ten.serverCpu)}`,
        ratio: `${ratio(r.one.serverCpu, r.none.serverCpu)} / ${ratio(r.ten.serverCpu, r.none.serverCpu)}`,
        target: '—',
      });
    const callsRow = (what: string, r: { none: Window; one: Window; ten: Window }) =>
      addRow({
        figure: `feed: Temporal calls/s of the hub, ${what}, 1 / 10 connections (per tick)`,
        baseline: '—',
        orchestra:
          `${perSecond(r.one).toFixed(1)} / ${perSecond(r.ten).toFixed(1)}` +
          ` (${perTick(r.one).toFixed(2)} / ${perTick(r.ten).toFixed(2)})`,
        ratio: ratio(perSecond(r.ten), perSecond(r.one)),
        target: 'ten cost what one does: ≤ 1.2x',
        met: perSecond(r.ten) <= 1.2 * perSecond(r.one),
      });
    cpuRow(`${settingName}, 0 running`, idle);
    callsRow(`${settingName}, 0 running`, idle);
    cpuRow(`${settingName} + ${RUNNING} running`, busyRun);
    callsRow(`${settingName} + ${RUNNING} running`, busyRun);
    addRow({
      figure: `feed: Temporal calls per tick, ${RUNNING} running beside ${settingName}, 1 connection`,
      baseline: `0 running ${perTick(idle.one).toFixed(2)}`,
      orchestra:
        `${perTick(busyRun.one).toFixed(2)} (${(busyRun.one.lists / busyRun.one.ticks).toFixed(2)} / ` +
        `${(busyRun.one.describes / busyRun.one.ticks).toFixed(2)} / ${(busyRun.one.events / busyRun.one.ticks).toFixed(2)})`,
      ratio: ratio(perTick(busyRun.one), perTick(idle.one)),
      target: '—',
    });
  });
}
