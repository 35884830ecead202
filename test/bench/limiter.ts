/**
 * `npm run bench`, part "limits": what the model-call limiter does when the provider answers
 * 429. The same agents (8 turns each, 50 ms model) run twice on one worker limited to 8 calls
 * at once: against a clean model, and against one that answers each agent's third call 429
 * with retry-after: 1, twice. Side by side: the wall time, the limiter's figures (429s, cuts,
 * lowest limit, waits) and the shortest gap between a 429 and the retry of its call.
 */
import { modelLimits } from '../../src/temporal/limits';
import { waitForAgent } from '../../src/temporal/agents';
import type { Harness } from '../helpers/harness';
import { addRow, settings, times } from './report';
import { withServer } from './server';

const AGENTS = settings.quick ? 4 : 8;
const TURNS = 8;
const MAX = 8;
const RETRY_AFTER_S = 1;

const turn = { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 50 };
const limitedTurn = {
  ...turn,
  errors: [
    { status: 429, retryAfter: RETRY_AFTER_S },
    { status: 429, retryAfter: RETRY_AFTER_S },
  ],
};

async function runAgents(h: Harness, limited: boolean): Promise<{ ms: number; tasks: string[] }> {
  const tasks = Array.from({ length: AGENTS }, () =>
    h.script(
      [
        ...Array.from({ length: TURNS }, (_, i) => (limited && i === 2 ? limitedTurn : turn)),
        { text: 'done' },
      ],
      { task: 'bench' },
    ),
  );
  const started = performance.now();
  const ids = await Promise.all(tasks.map((task) => h.spawn({ task })));
  for (const id of ids) {
    const result = await waitForAgent(h.client, id);
    if (result.status !== 'completed') throw new Error(`bench agent ${id} ${result.status}: ${result.error}`);
  }
  return { ms: performance.now() - started, tasks };
}

export async function limiterSlowdown(): Promise<void> {
  await withServer({ modelLimits: { modelConcurrency: MAX } }, async (h) => {
    await runAgents(h, false); // warm-up
    const clean = await runAgents(h, false);
    const before = (await modelLimits(h.client, h.taskQueue)).model;
    const limited = await runAgents(h, true);
    const after = (await modelLimits(h.client, h.taskQueue)).model;
    // The retry of each 429'd call, at the scripted server: how soon it came back.
    const gaps = limited.tasks.flatMap((task) => {
      const tries = h.requestsFor(task).filter((r) => r.turn === 2);
      return tries.slice(1).map((r, i) => r.at - tries[i].answeredAt!);
    });
    const shortest = Math.min(...gaps);
    const waits = after.waits.totalMs - before.waits.totalMs;
    const limits = `${after.rateLimited - before.rateLimited} 429s, ${after.cuts - before.cuts} cuts, lowest limit ${after.lowest} of ${MAX}, back to ${after.limit}`;
    console.log(`\nlimits: ${AGENTS} agents × ${TURNS + 1} calls, 50 ms model, at most ${MAX} at once`);
    console.log(`clean ${(clean.ms / 1000).toFixed(2)} s; with 429s ${(limited.ms / 1000).toFixed(2)} s`);
    console.log(
      `limiter: ${limits}; ${after.waits.count - before.waits.count} waits, ${Math.round(waits)} ms in all`,
    );
    console.log(`gaps from a 429 to its retry (ms): ${gaps.map((g) => Math.round(g)).join(' ')}`);
    addRow({
      figure: `${AGENTS} agents × ${TURNS + 1} calls (50 ms model): wall time with two 429s (retry-after ${RETRY_AFTER_S} s) per agent vs none`,
      baseline: `clean ${(clean.ms / 1000).toFixed(2)} s`,
      orchestra: `with 429s ${(limited.ms / 1000).toFixed(2)} s (${limits}; ${Math.round(waits)} ms waited)`,
      ratio: times(limited.ms / clean.ms),
      target: `slower by ≥ ${2 * RETRY_AFTER_S} s`,
      met: limited.ms - clean.ms >= 2 * RETRY_AFTER_S * 1000,
    });
    addRow({
      figure: 'shortest gap between a 429 and the retry of its call, against the retry-after asked',
      baseline: `retry-after ${RETRY_AFTER_S * 1000} ms`,
      orchestra: `${Math.round(shortest)} ms`,
      ratio: times(shortest / (RETRY_AFTER_S * 1000)),
      target: '≥ 1.00x',
      met: shortest >= RETRY_AFTER_S * 1000,
    });
  });
}
