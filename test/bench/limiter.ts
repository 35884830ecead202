/**
 * `npm run bench`, part "limits": what the model-call limiter does when the provider answers
 * 429. The same agents (8 turns each, 50 ms model) run twice on one worker limited to 8 calls
 * at once: against a clean model, and against one that answers each agent's third call 429
 * with retry-after: 1, twice. Side by side: the wall time, the limiter's figures (429s, cuts,
 * lowest limit, waits) and the shortest gap between a 429 and the retry of its call. Then the
 * same 429s on a worker with ORCHESTRA_MODEL_RPM: the fleet's rate the server keeps, as it falls
 * and climbs back (a short cooldown, so the run sees both).
 */
import { shownRate } from '../../src/domain';
import { modelLimits } from '../../src/temporal/limits';
import { waitForAgent } from '../../src/temporal/agents';
import type { DevServer } from '../../src/temporal/dev-server';
import { startHarness, type Harness } from '../helpers/harness';
import { addRow, settings, times } from './report';
import { withServer } from './server';

const AGENTS = settings.quick ? 4 : 8;
const TURNS = 8;
const MAX = 8;
const RETRY_AFTER_S = 1;
/** Above what the clean run calls a minute, so only the cuts slow it. */
const RPM = 3000;
/** Longer than a 429's retry-after: an agent's second 429 is the same burst as its first. */
const COOLDOWN_MS = 2000;
/** Fewer agents than above: the figures are the rate's, not the wall time's. */
const FLEET_AGENTS = AGENTS / 2;

const turn = { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 50 };
const limitedTurn = {
  ...turn,
  errors: [
    { status: 429, retryAfter: RETRY_AFTER_S },
    { status: 429, retryAfter: RETRY_AFTER_S },
  ],
};

async function runAgents(
  h: Harness,
  limited: boolean,
  agents = AGENTS,
): Promise<{ ms: number; tasks: string[] }> {
  const tasks = Array.from({ length: agents }, () =>
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
  await withServer({ modelLimits: { modelConcurrency: MAX } }, async (h, _cwd, server) => {
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
    await fleetRate(server);
  });
}

/** The fleet's rate under the same 429s, on a worker of its own that keeps ORCHESTRA_MODEL_RPM. */
async function fleetRate(server: DevServer): Promise<void> {
  const h = await startHarness({
    address: server.address,
    modelLimits: { modelConcurrency: MAX, modelCallsPerMinute: RPM, modelRate: { cooldownMs: COOLDOWN_MS } },
  });
  try {
    const run = await runAgents(h, true, FLEET_AGENTS);
    const fleet = (await modelLimits(h.client, h.taskQueue)).fleet!;
    const figures = `lowest ${shownRate(fleet.lowest)}, ${fleet.cuts} cuts, ${fleet.raises} raises, ${fleet.current === null ? 'unknown' : shownRate(fleet.current)} at the end`;
    console.log(`fleet rate (ORCHESTRA_MODEL_RPM ${RPM}, cooldown ${COOLDOWN_MS} ms): ${figures}`);
    console.log(`  last change: ${fleet.lastChange?.reason ?? 'none'}`);
    addRow({
      figure: `${FLEET_AGENTS} of those agents with ORCHESTRA_MODEL_RPM ${RPM} (cooldown ${COOLDOWN_MS / 1000} s): the fleet's rate on the server, at the end against the configured`,
      baseline: `${RPM} calls a minute`,
      orchestra: `${figures} (calls a minute); ${(run.ms / 1000).toFixed(2)} s`,
      ratio: times((fleet.current ?? 0) / RPM),
      target: 'falls on 429s, never past the configured rate',
      met: fleet.lowest < RPM && fleet.current !== null && fleet.current <= RPM,
    });
  } finally {
    await h.close();
  }
}
