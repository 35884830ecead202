/**
 * Scenario 1, load with kill -9: many agents at once on two worker processes, each appending
 * lines to a file with bash and writing a file; one worker is killed with SIGKILL mid-run and
 * another started. Every agent must complete, and every append must be in its file exactly once
 * (an append whose call died with the worker may be missing only if the model was told so).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { within } from '../../src/within';
import { waitForAgent } from '../../src/temporal/agents';
import { polling, startWorkerProcess, type WorkerProcess } from './worker-process';
import { until } from '../helpers/poll';
import { addRow, claim, quick, seconds } from './report';
import { toolResults, withSetting } from './server';

const SCENARIO = 'load + kill -9';
const AGENTS = quick ? 20 : 100;
const MODEL_DELAY_MS = 500;
const APPENDS = 2;
const TURNS = 4;

export async function loadWithKill(): Promise<void> {
  await withSetting({ worker: false }, async ({ h }) => {
    const workers: WorkerProcess[] = [startWorkerProcess(h), startWorkerProcess(h)];
    try {
      // Both take work from the start, so the one killed holds some.
      await polling(h, workers);
      const started = Date.now();
      const agents = await Promise.all(
        Array.from({ length: AGENTS }, async (_, n) => {
          const cwd = await h.tempDir();
          const append = (k: number) => ({
            toolCalls: [{ name: 'bash', input: { command: `echo a${n}-${k} >> runs.txt` } }],
            delayMs: MODEL_DELAY_MS,
          });
          const task = h.script([
            append(1),
            {
              toolCalls: [{ name: 'write_file', input: { path: 'notes.md', content: `agent ${n}\n` } }],
              delayMs: MODEL_DELAY_MS,
            },
            append(2),
            { text: `agent ${n} done`, delayMs: MODEL_DELAY_MS },
          ]);
          return { n, cwd, task, id: await h.spawn({ task, cwd }) };
        }),
      );
      const calls = () => agents.reduce((sum, a) => sum + h.requestsFor(a.task).length, 0);
      // Mid-run: a third of all model calls answered, the rest still to come.
      await until(
        async () => calls(),
        (c) => c >= (AGENTS * TURNS) / 3,
        'a third of the calls',
        120_000,
      );
      const callsAtKill = calls();
      workers[0].kill9();
      const killedAt = Date.now();
      workers.push(startWorkerProcess(h));
      console.log(`  killed worker 1 after ${callsAtKill}/${AGENTS * TURNS} model calls; started worker 3`);

      const results = await Promise.all(
        agents.map((a) => within(waitForAgent(h.client, a.id), 240_000).catch(() => undefined)),
      );
      const lastDone = Date.now();
      const completed = results.filter((r) => r?.status === 'completed').length;
      claim(
        SCENARIO,
        `agents completed (${AGENTS} agents, ${TURNS} turns each)`,
        completed === AGENTS,
        `${completed}/${AGENTS}`,
      );

      let repeated = 0;
      let lostReported = 0;
      let lostSilently = 0;
      let notesMissing = 0;
      for (const a of agents) {
        const lines = (await readFile(path.join(a.cwd, 'runs.txt'), 'utf8').catch(() => '')).split('\n');
        const notes = await readFile(path.join(a.cwd, 'notes.md'), 'utf8').catch(() => '');
        if (notes !== `agent ${a.n}\n`) notesMissing += 1;
        const bashResults = (await toolResults(h, a.id).catch(() => [])).filter((_, i) => i !== 1);
        for (let k = 1; k <= APPENDS; k++) {
          const count = lines.filter((l) => l === `a${a.n}-${k}`).length;
          if (count > 1) repeated += count - 1;
          if (count === 0) {
            if (/may or may not have taken effect/.test(bashResults[k - 1]?.output ?? '')) lostReported += 1;
            else lostSilently += 1;
          }
        }
      }
      claim(
        SCENARIO,
        `bash appends lost or repeated (of ${AGENTS * APPENDS}, counted in the files)`,
        repeated === 0 && lostSilently === 0,
        `repeated ${repeated}, lost ${lostSilently + lostReported}` +
          (lostReported
            ? ` (${lostReported} in a call killed mid-run, reported to the model as maybe not run)`
            : ''),
      );
      // The kill hit work in flight: model calls the dead worker had started were asked again.
      const retried = agents.reduce(
        (n, a) => n + h.requestsFor(a.task).filter((r) => r.attempt > 1).length,
        0,
      );
      addRow(SCENARIO, 'model calls in flight on the killed worker, asked again', `${retried}`, 'measured');
      claim(SCENARIO, 'write_file results missing or wrong', notesMissing === 0, `${notesMissing}/${AGENTS}`);
      addRow(SCENARIO, 'wall time, first spawn to last completion', seconds(lastDone - started), 'measured');
      addRow(SCENARIO, 'kill -9 to last completion', seconds(lastDone - killedAt), 'measured');
    } finally {
      for (const w of workers) await w.stop();
    }
  });
}
