/**
 * `npm run bench`, part "turn": the wall time of one agent turn at a fixed model latency, for
 * the plain in-process loop, the minimal Temporal loop (same server, same worker settings) and
 * the Orchestra agent, side by side. Each turn: one streamed model call, one list_files call.
 */
import { spawnAgent, waitForAgent } from '../../src/temporal/agents';
import { startMinimalWorker } from './minimal';
import { plainClient, plainLoop } from './plain-loop';
import { addRow, ms, settings, timed, times } from './report';
import { withServer } from './server';

const TURNS = settings.quick ? 10 : 20;
const LATENCIES_MS = [0, 50];
const REPEATS = settings.quick ? 1 : 3;
const TARGET_OVER_PLAIN_MS = 30;
const TARGET_OVER_MINIMAL = 1.3;

export async function turnOverhead(): Promise<void> {
  await withServer({}, async (h, cwd) => {
    const minimal = await startMinimalWorker(h);
    const sdk = plainClient(h.model.url);
    const task = (latency: number) => {
      const turn = { toolCalls: [{ name: 'list_files', input: {} }], delayMs: latency };
      return h.script([...Array.from({ length: TURNS }, () => turn), { text: 'done', delayMs: latency }], {
        task: 'benchmark',
      });
    };
    const orchestra = async (latency: number) => {
      const { id } = await spawnAgent(h.client, h.defaults, { task: task(latency), cwd });
      const result = await waitForAgent(h.client, id);
      if (result.status !== 'completed')
        throw new Error(`bench agent ${id} ${result.status}: ${result.error}`);
    };
    try {
      // Warm-up: bundles, connections, JIT.
      await plainLoop(sdk, task(0), cwd);
      await minimal.run(task(0), cwd);
      await orchestra(0);
      const calls = TURNS + 1;
      console.log(
        `\nper-turn wall time: ${calls} model calls and ${TURNS} list_files calls per run, best of ${REPEATS}`,
      );
      console.log(
        'latency L | plain loop | minimal Temporal loop | Orchestra agent | Orchestra - plain | Orchestra / minimal',
      );
      for (const latency of LATENCIES_MS) {
        let plain = Infinity;
        let floor = Infinity;
        let durable = Infinity;
        for (let i = 0; i < REPEATS; i++) {
          plain = Math.min(plain, (await timed(() => plainLoop(sdk, task(latency), cwd))) / calls);
          floor = Math.min(floor, (await timed(() => minimal.run(task(latency), cwd))) / calls);
          durable = Math.min(durable, (await timed(() => orchestra(latency))) / calls);
        }
        console.log(
          `${String(latency).padStart(6)} ms | ${ms(plain).padStart(10)} | ${ms(floor).padStart(21)} | ${ms(durable).padStart(15)} |` +
            ` ${ms(durable - plain).padStart(17)} | ${times(durable / floor)}`,
        );
        const at0 = latency === 0;
        addRow({
          figure: `ms per turn, ${latency} ms model: Orchestra over the plain loop`,
          baseline: `plain loop ${ms(plain)}`,
          orchestra: ms(durable),
          ratio: `+${ms(durable - plain)}`,
          target: at0 ? `≤ +${TARGET_OVER_PLAIN_MS} ms` : '—',
          met: at0 ? durable - plain <= TARGET_OVER_PLAIN_MS : undefined,
        });
        addRow({
          figure: `ms per turn, ${latency} ms model: Orchestra vs a minimal Temporal loop`,
          baseline: `minimal loop ${ms(floor)}`,
          orchestra: ms(durable),
          ratio: times(durable / floor),
          target: at0 ? `≤ ${TARGET_OVER_MINIMAL}x` : '—',
          met: at0 ? durable / floor <= TARGET_OVER_MINIMAL : undefined,
        });
      }
    } finally {
      await minimal.stop();
    }
  });
}
