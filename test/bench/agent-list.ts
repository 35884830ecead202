/**
 * `npm run bench`, part "list": how smooth the dashboard's agent list stays as agents are
 * added, in headless Debian Chromium at 1280x720: frame times while the list is scrolled to
 * the bottom and back (the 95th percentile), and how long a sort takes to show. The page is the
 * list alone on synthetic agents (test/fixtures/agent-list), with the feed's kind of updates
 * arriving at 300 a second; the baseline is the same page with 30 agents, one screen of rows.
 * Only the rows in sight are drawn, so the figures should not grow with the agents.
 */
import { loadavg } from 'node:os';
import { chromium, type Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS, startListHarness } from '../helpers/harness-page';
import { addRow, ms, quantile, settings, times } from './report';

const BASELINE = 30;
const SIZES = [200, 2000];
const CHURN = 300;
const TARGET = { agents: 200, p95Ms: 50 };
const ROUNDS = settings.quick ? 1 : 3;

/* eslint-disable @typescript-eslint/no-explicit-any -- code run in the page: the bench compiles without the DOM's types */
/** Run in the page: frame times while scrolling to the bottom and back, then the time a sort (by tokens, most first) takes to show. */
async function scrollAndSort(): Promise<{ frames: number[]; sortMs: number }> {
  const { document, performance, requestAnimationFrame } = globalThis as any;
  const rows = document.querySelector('.rows');
  const frame = () => new Promise((r) => requestAnimationFrame(r));
  const frames: number[] = [];
  await frame();
  let last = performance.now();
  for (let i = 0; i <= 120; i++) {
    rows.scrollTop = (rows.scrollHeight * (i < 60 ? i : 120 - i)) / 60;
    await frame();
    const now = performance.now();
    frames.push(now - last);
    last = now;
  }
  const header = [...document.querySelectorAll('.row.head button')].find((b: any) =>
    b.textContent.startsWith('tokens'),
  );
  const first = () => document.querySelector('.rows .row')?.getAttribute('data-agent-id');
  const before = first();
  const started = performance.now();
  header.click();
  while (first() === before && performance.now() - started < 5000) await frame();
  return { frames, sortMs: performance.now() - started };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

async function measure(page: Page, url: string, agents: number) {
  await page.goto(`${url}?agents=${agents}&churn=${CHURN}`);
  await page.waitForFunction(() => (globalThis as { __list?: { ready: boolean } }).__list?.ready === true);
  await page.waitForTimeout(500);
  return page.evaluate(scrollAndSort);
}

export async function agentListSmoothness(): Promise<void> {
  const harness = await startListHarness();
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    await measure(page, harness.url, BASELINE); // warm-up: the browser's first compiles
    const sizes = [BASELINE, ...SIZES];
    const frames = new Map<number, number[]>(sizes.map((n) => [n, []]));
    const sorts = new Map<number, number[]>(sizes.map((n) => [n, []]));
    // Sizes taken in turn, ROUNDS times: a shared machine's load drifts.
    for (let round = 0; round < ROUNDS; round++)
      for (const agents of sizes) {
        const run = await measure(page, harness.url, agents);
        frames.get(agents)!.push(...run.frames);
        sorts.get(agents)!.push(run.sortMs);
      }
    const p95 = (n: number) => quantile(frames.get(n)!, 0.95);
    const sort = (n: number) => quantile(sorts.get(n)!, 0.5);
    const load = loadavg()[0].toFixed(1);
    for (const agents of SIZES) {
      const targeted = agents === TARGET.agents;
      console.log(
        `agent list, ${agents} agents: frame p95 ${ms(p95(agents))} (${BASELINE}: ${ms(p95(BASELINE))}), sort ${ms(sort(agents))}`,
      );
      addRow({
        figure: `agent list frame p95, ${agents} agents scrolled, ${CHURN} updates/s (Chromium 1280x720; load ${load})`,
        baseline: `${BASELINE} agents ${ms(p95(BASELINE))}`,
        orchestra: ms(p95(agents)),
        ratio: times(p95(agents) / p95(BASELINE)),
        target: targeted ? `≤ ${TARGET.p95Ms} ms` : '—',
        met: targeted ? p95(agents) <= TARGET.p95Ms : undefined,
      });
      addRow({
        figure: `agent list sort shown, ${agents} agents (median)`,
        baseline: `${BASELINE} agents ${ms(sort(BASELINE))}`,
        orchestra: ms(sort(agents)),
        ratio: times(sort(agents) / sort(BASELINE)),
        target: '—',
      });
    }
  } finally {
    await browser.close();
    await harness.close();
  }
}
