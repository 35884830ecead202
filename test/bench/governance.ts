/**
 * `npm run bench`, part "governance": what governance costs per turn, side by side in one run.
 * The same 20-turn agent (one model call and one list_files call per turn, no model
 * latency) with: every built-in hook off; the defaults (context files read once, the
 * redactor in every activity, the todo check); the defaults in a session, unpriced and priced
 * (charged to the session and the day with Updates); and semi autonomy with a tool.before
 * rule and bash patterns evaluated on every call (list_files runs freely). What pricing costs
 * is priced against unpriced in the same session: a session has costs of its own (its
 * context is read at the start, its usage report waits at the end), shown beside them.
 */
import type { SpawnRequest } from '../../src/domain';
import { createSession } from '../../src/temporal/sessions';
import { spawnAgent, waitForAgent } from '../../src/temporal/agents';
import { TEST_MODEL } from '../helpers/harness';
import { addRow, ms, settings, times } from './report';
import { withServer } from './server';

const TURNS = settings.quick ? 10 : 20;
const REPEATS = settings.quick ? 1 : 3;
const PRICED_TARGET = 1.15;
const OFF = { contextFiles: false, redactSecrets: false, todoCheck: false };

export async function governanceOverhead(): Promise<void> {
  await withServer({ file: { prices: { [TEST_MODEL]: { input: 3, output: 15 } } } }, async (h, cwd) => {
    const session = await createSession(h.client, h.taskQueue, { cwd });
    const turn = { toolCalls: [{ name: 'list_files', input: {} }] };
    const task = () =>
      h.script([...Array.from({ length: TURNS }, () => turn), { text: 'done' }], { task: 'bench' });
    const unpriced = 'unpriced-bench-model';
    const variants: Array<[string, Partial<SpawnRequest>]> = [
      ['hooks off, unpriced', { model: unpriced, hooks: OFF }],
      ['defaults, unpriced', { model: unpriced }],
      ['in a session, unpriced', { model: unpriced, sessionId: session.id }],
      ['in a session, priced (charged)', { sessionId: session.id }],
      [
        'semi + rule + patterns, unpriced',
        {
          model: unpriced,
          policy: { autonomy: 'semi', bashDeny: ['\\bcurl\\b'], bashAllow: ['^npm test$'] },
          hooks: { rules: [{ on: 'tool.before', name: 'no-net', tool: 'bash', match: 'curl', block: 'no' }] },
        },
      ],
    ];
    const run = async (extra: Partial<SpawnRequest>) => {
      const started = performance.now();
      const { id } = await spawnAgent(h.client, h.defaults, { task: task(), cwd, ...extra });
      const result = await waitForAgent(h.client, id);
      if (result.status !== 'completed')
        throw new Error(`bench agent ${id} ${result.status}: ${result.error}`);
      return (performance.now() - started) / (TURNS + 1);
    };
    for (const [, extra] of variants) await run(extra); // warm-up
    const best = new Map<string, number>();
    for (let i = 0; i < REPEATS; i++) {
      for (const [name, extra] of variants)
        best.set(name, Math.min(best.get(name) ?? Infinity, await run(extra)));
    }
    const base = best.get(variants[0][0])!;
    const unpricedT = best.get(variants[1][0])!;
    console.log(
      `\ngovernance overhead: per-turn wall time, ${TURNS + 1} model calls per agent, best of ${REPEATS}`,
    );
    console.log(
      'variant                           | per turn | ratio to hooks off | ratio to defaults, unpriced',
    );
    for (const [name] of variants) {
      const t = best.get(name)!;
      console.log(
        `${name.padEnd(33)} | ${t.toFixed(1).padStart(5)} ms | ${times(t / base).padStart(18)} | ${times(t / unpricedT)}`,
      );
    }
    const inSession = best.get(variants[2][0])!;
    const priced = best.get(variants[3][0])!;
    addRow({
      figure:
        'ms per turn, 0 ms model: a priced agent charged to its session and day vs an unpriced one in the same session',
      baseline: `unpriced ${ms(inSession)}`,
      orchestra: `priced ${ms(priced)}`,
      ratio: times(priced / inSession),
      target: `≤ ${PRICED_TARGET}x`,
      met: priced / inSession <= PRICED_TARGET,
    });
    addRow({
      figure: 'ms per turn, 0 ms model: an unpriced agent in a session vs one in none',
      baseline: `in none ${ms(unpricedT)}`,
      orchestra: `in a session ${ms(inSession)}`,
      ratio: times(inSession / unpricedT),
      target: '—',
    });
  });
}
