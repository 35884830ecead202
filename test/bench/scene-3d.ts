/**
 * `npm run bench`, part "scene": frames per second of the dashboard's 3D view with 25, 100
 * and 200 agents, in headless Debian Chromium with WebGL from SwiftShader (software, no GPU),
 * 1280x720 at dpr 1, as the browser test drives it, each size twice in turn (the mean, and the
 * range). The baseline is the same page with no agent (the floor alone): what the browser and
 * SwiftShader cost before any agent is drawn.
 * Frames counted are the ones the scene rendered (its frame loop runs on requestAnimationFrame).
 * The machine's 1-minute load average is printed with each figure: SwiftShader rasterizes on the
 * CPU, so other work on a shared machine lowers the figures.
 */
import { loadavg } from 'node:os';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startSceneHarness } from '../helpers/harness-page';
import { addRow, settings } from './report';

const SIZES = [25, 100, 200];
/** The target's size again, with the scene handed a new array this often a second (a feed's pace). */
const UPDATES = 20;
const TARGET = { agents: 100, fps: 30 };
const WARMUP_MS = settings.quick ? 1000 : 2000;
const WINDOW_MS = settings.quick ? 2000 : 5000;

interface ScenePage {
  __scene?: { ready: boolean; frames(): number };
}

async function fpsOf(page: Page, url: string): Promise<number> {
  await page.goto(url);
  await page.waitForFunction(() => (globalThis as unknown as ScenePage).__scene?.ready === true, undefined, {
    timeout: 60_000,
  });
  await page.waitForTimeout(WARMUP_MS);
  const frames = () => page.evaluate(() => (globalThis as unknown as ScenePage).__scene!.frames());
  const [first, started] = [await frames(), performance.now()];
  await page.waitForTimeout(WINDOW_MS);
  const [last, ended] = [await frames(), performance.now()];
  return ((last - first) * 1000) / (ended - started);
}

const ROUNDS = settings.quick ? 1 : 2;
/** The runs' key for the target's size with updates arriving. */
const LIVE = -1;

export async function sceneFps(): Promise<void> {
  const harness = await startSceneHarness();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const at = (agents: number) => `${harness.url}?agents=${agents}&zones=6`;
    await fpsOf(page, at(SIZES[0])); // warm-up: the browser's and SwiftShader's first compiles
    // Sizes taken in turn, ROUNDS times: a shared machine's load drifts over a minute.
    const sizes = [0, ...SIZES, LIVE];
    const runs = new Map<number, number[]>(sizes.map((n) => [n, []]));
    const loads: number[] = [];
    for (let round = 0; round < ROUNDS; round++)
      for (const agents of sizes) {
        const live = agents === LIVE;
        const fps = await fpsOf(page, live ? `${at(TARGET.agents)}&updates=${UPDATES}` : at(agents));
        loads.push(loadavg()[0]);
        runs.get(agents)!.push(fps);
        const what = live ? `${TARGET.agents} agents, ${UPDATES} updates/s` : `${agents} agents`;
        console.log(`3D view, ${what}: ${fps.toFixed(1)} fps (load average ${loadavg()[0].toFixed(1)})`);
      }
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const spread = (xs: number[]) =>
      xs.length > 1 ? ` (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})` : '';
    const empty = mean(runs.get(0)!);
    const load = mean(loads).toFixed(1);
    console.log(`bundle ${(harness.bundleBytes / 1024).toFixed(0)} KiB; mean load average ${load}`);
    for (const agents of [...SIZES, LIVE]) {
      const fps = mean(runs.get(agents)!);
      const targeted = agents === TARGET.agents || agents === LIVE;
      const what = agents === LIVE ? `${TARGET.agents} agents, ${UPDATES} updates/s` : `${agents} agents`;
      addRow({
        figure: `3D view fps, ${what} (headless Chromium, SwiftShader, 1280x720; load ${load})`,
        baseline: `no agents ${empty.toFixed(0)} fps`,
        orchestra: `${fps.toFixed(1)} fps${spread(runs.get(agents)!)}`,
        ratio: `${(fps / empty).toFixed(2)}x`,
        target: targeted ? `> ${TARGET.fps} fps` : '—',
        met: targeted ? fps > TARGET.fps : undefined,
      });
    }
  } finally {
    await browser.close();
    await harness.close();
  }
}
