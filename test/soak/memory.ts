/**
 * Scenario 6, memory after a burst (issue 11: "worker RSS stays ~1 GB after 200 agents finish"):
 * one worker process, its RSS once it polls, then 200 agents of a few turns each at once, its
 * peak RSS and its RSS right after the last one finished and a minute later. Memory the agents
 * needed must go back: RSS a minute after stays within a bound of the idle worker's.
 *
 * What stays a minute after is not the agents': V8 garbage in the workflow thread, which
 * collects nothing once idle (up to ~150 MiB here), and glibc's free lists over its arenas
 * (~200 MiB; `malloc_trim(0)` gives them back). Collected and trimmed, the worker is back at
 * its idle RSS (within 30 MiB, four runs). The RSS kept ranged over 33-82% of the burst's growth.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { within } from '../../src/within';
import { waitForAgent } from '../../src/temporal/agents';
import { polling, startWorkerProcess } from './worker-process';
import { addRow, claim, quick, seconds, sleep } from './report';
import { withSetting } from './server';

const SCENARIO = 'memory';
const AGENTS = quick ? 40 : 200;
const SETTLE_MS = quick ? 30_000 : 60_000;
const MODEL_DELAY_MS = 200;

/** A field of /proc/<pid>/status, in MiB (the kernel gives kB). */
function procMiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status)?.[1]) / 1024;
}

const mib = (n: number) => `${n.toFixed(0)} MiB`;

export async function memoryAfterBurst(): Promise<void> {
  await withSetting({ worker: false }, async ({ h }) => {
    const worker = startWorkerProcess(h);
    try {
      await polling(h, [worker]);
      const pid = worker.child.pid!;
      const idle = procMiB(pid, 'VmRSS');
      const started = Date.now();
      const ids = await Promise.all(
        Array.from({ length: AGENTS }, async (_, n) => {
          // Tool results of the size real agents read (a long listing, a source file), so each
          // conversation is ~100K characters, as the model worker holds them.
          const cwd = await h.tempDir();
          await writeFile(path.join(cwd, 'src.txt'), `line of agent ${n}: ${'x'.repeat(60)}\n`.repeat(1000));
          const task = h.script([
            {
              toolCalls: [{ name: 'bash', input: { command: `seq ${n} 99999 | head -4000` } }],
              delayMs: MODEL_DELAY_MS,
            },
            { toolCalls: [{ name: 'read_file', input: { path: 'src.txt' } }], delayMs: MODEL_DELAY_MS },
            {
              toolCalls: [{ name: 'write_file', input: { path: 'notes.md', content: `agent ${n}\n` } }],
              delayMs: MODEL_DELAY_MS,
            },
            { text: `agent ${n} done`, delayMs: MODEL_DELAY_MS },
          ]);
          return h.spawn({ task, cwd });
        }),
      );
      const results = await Promise.all(
        ids.map((id) => within(waitForAgent(h.client, id), 300_000).catch(() => undefined)),
      );
      const finished = Date.now();
      const completed = results.filter((r) => r?.status === 'completed').length;
      const peak = procMiB(pid, 'VmHWM');
      const after = procMiB(pid, 'VmRSS');
      await sleep(SETTLE_MS);
      const settled = procMiB(pid, 'VmRSS');
      console.log(
        `  worker RSS: idle ${mib(idle)}, peak ${mib(peak)}, at the end ${mib(after)},` +
          ` ${seconds(SETTLE_MS)} later ${mib(settled)}`,
      );
      claim(
        SCENARIO,
        `agents completed (${AGENTS} agents, 4 turns each)`,
        completed === AGENTS,
        `${completed}/${AGENTS}`,
      );
      addRow(SCENARIO, 'wall time, first spawn to last completion', seconds(finished - started), 'measured');
      addRow(
        SCENARIO,
        'worker RSS: idle (polling), peak (VmHWM), right after the last agent',
        `${mib(idle)}, ${mib(peak)}, ${mib(after)}`,
        'measured',
      );
      // The bound: 90% of what the burst added. Allocator slack kept up to 82% of it (above);
      // a worker that stays at its peak, as in the issue, keeps it all.
      const bound = idle + 0.9 * (peak - idle);
      claim(
        SCENARIO,
        `worker RSS ${seconds(SETTLE_MS)} after: within idle + 90% of the peak's growth`,
        settled <= bound,
        `${mib(settled)} (bound ${mib(bound)}; ${(((settled - idle) / Math.max(peak - idle, 1)) * 100).toFixed(0)}% of the growth kept)`,
      );
    } finally {
      await worker.stop();
    }
  });
}
