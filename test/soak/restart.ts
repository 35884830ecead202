/**
 * Scenario 2, server restart: agents mid-run while the dev server stops for a while and starts
 * again on the same database. Every agent must complete with each bash append in its file
 * exactly once; the figures are how long after the server was started again the first and the last agent
 * recorded progress (an event timestamped after the restart).
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { agentEvents, agentStatus } from '../../src/temporal/agents';
import { until } from '../helpers/poll';
import { addRow, claim, quick, seconds } from './report';
import { toolResults, withSetting } from './server';

const SCENARIO = 'server restart';
const AGENTS = quick ? 10 : 30;
const DOWN_MS = quick ? 5_000 : 10_000;
const APPENDS = quick ? 4 : 6;
const MODEL_DELAY_MS = quick ? 700 : 1_000;
const TERMINAL = ['completed', 'failed', 'cancelled'];

export async function serverRestart(): Promise<void> {
  await withSetting({}, async ({ h, restart }) => {
    const agents = await Promise.all(
      Array.from({ length: AGENTS }, async (_, n) => {
        const cwd = await h.tempDir();
        const task = h.script([
          ...Array.from({ length: APPENDS }, (_, k) => ({
            toolCalls: [{ name: 'bash', input: { command: `echo r${n}-${k} >> runs.txt` } }],
            delayMs: MODEL_DELAY_MS,
          })),
          { text: `agent ${n} done` },
        ]);
        return { n, cwd, task, id: await h.spawn({ task, cwd }) };
      }),
    );
    // Every agent is under way (its second model call asked for) before the server goes.
    await until(
      async () => agents.every((a) => h.requestsFor(a.task).some((r) => r.turn >= 1)),
      (all) => all,
      'every agent under way',
      60_000,
    );
    const { stoppedAt, startAt, upAt } = await restart(DOWN_MS);
    console.log(
      `  server stopped for ${seconds(startAt - stoppedAt)}; its start took ${seconds(upAt - startAt)}`,
    );

    const views = await Promise.all(
      agents.map((a) =>
        until(
          () => agentStatus(h.client, a.id),
          (v) => TERMINAL.includes(v.status),
          `${a.id} ended`,
          180_000,
        ).catch(() => undefined),
      ),
    );
    const completed = views.filter((v) => v?.status === 'completed').length;
    claim(
      SCENARIO,
      `agents completed (${AGENTS} agents, down ${seconds(DOWN_MS)})`,
      completed === AGENTS,
      `${completed}/${AGENTS}`,
    );

    let repeated = 0;
    let lostReported = 0;
    let lostSilently = 0;
    const progressed: number[] = [];
    for (const a of agents) {
      const lines = (await readFile(path.join(a.cwd, 'runs.txt'), 'utf8').catch(() => '')).split('\n');
      const results = await toolResults(h, a.id).catch(() => []);
      for (let k = 0; k < APPENDS; k++) {
        const count = lines.filter((l) => l === `r${a.n}-${k}`).length;
        if (count > 1) repeated += count - 1;
        if (count === 0) {
          if (/may or may not have taken effect/.test(results[k]?.output ?? '')) lostReported += 1;
          else lostSilently += 1;
        }
      }
      const events = await agentEvents(h.client, a.id).catch(() => []);
      // Nothing can be recorded while the server is down: the first event after the stop is the first progress since.
      const first = events.find((e) => Date.parse(e.at) > stoppedAt);
      if (first) progressed.push(Date.parse(first.at) - startAt);
    }
    claim(
      SCENARIO,
      `bash appends lost or repeated (of ${AGENTS * APPENDS})`,
      repeated === 0 && lostSilently === 0,
      `repeated ${repeated}, lost ${lostSilently + lostReported}` +
        (lostReported ? ` (${lostReported} reported to the model as maybe not run)` : ''),
    );
    claim(
      SCENARIO,
      'agents that progressed after the restart',
      progressed.length === AGENTS,
      `${progressed.length}/${AGENTS}`,
    );
    if (progressed.length) {
      addRow(
        SCENARIO,
        'server started again → first agent progressed',
        seconds(Math.min(...progressed)),
        'measured',
      );
      addRow(
        SCENARIO,
        'server started again → last agent progressed',
        seconds(Math.max(...progressed)),
        'measured',
      );
    }
  });
}
