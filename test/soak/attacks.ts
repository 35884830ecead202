/**
 * Scenario 5, issue 11's attack cases replayed through real agents on one worker process (the
 * one whose environment holds a fake secret), and the control API's Host check. Each is "held"
 * when the attack was turned away, with what was observed either way.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { link, readFile, truncate, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { agentTranscript, waitForAgent } from '../../src/temporal/agents';
import { GREP_TIME_LIMIT_MS } from '../../activities/tools/grep';
import type { Harness } from '../helpers/harness';
import { startWorkerProcess } from './worker-process';
import { hostCheck } from './attack-api';
import { until } from '../helpers/poll';
import { claim, seconds } from './report';
import { toolResults, withSetting } from './server';

const SCENARIO = 'attacks';
const FAKE_SECRET = `sk-ant-soak-${randomUUID()}`;
const PLANTED = `plant-${randomUUID()}`;

/** Spawn an agent for `calls` (one turn each), then a text turn; its tool results once it ended. */
async function agent(h: Harness, cwd: string, calls: { name: string; input: object }[]) {
  const task = h.script([
    ...calls.map((c) => ({ toolCalls: [{ name: c.name, input: c.input as Record<string, unknown> }] })),
    { text: 'done' },
  ]);
  const id = await h.spawn({ task, cwd });
  const result = await waitForAgent(h.client, id);
  return { id, task, result, tools: await toolResults(h, id) };
}

/** Base64 runs in `text`, decoded. */
const decoded = (text: string) =>
  (text.match(/[A-Za-z0-9+/=]{12,}/g) ?? [])
    .map((s) => Buffer.from(s, 'base64').toString('latin1'))
    .join('\n');

const vmHwmKiB = (pid: number) =>
  Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);

export async function attacks(): Promise<void> {
  await withSetting({ worker: false }, async ({ h }) => {
    const worker = startWorkerProcess(h, { SOAK_FAKE_KEY: FAKE_SECRET, BUILD_LABEL: PLANTED });
    try {
      await Promise.all([environ(h), fifo(h), hardLink(h)]);
      // Alone, so the worker's peak memory is this read's (and the worker surely done starting).
      await sparse(h, worker.child.pid!);
      await catastrophicGrep(h);
      await hostCheck(h);
    } finally {
      await worker.stop();
    }
  });
}

async function environ(h: Harness): Promise<void> {
  const probe = 'base64 -w0 /proc/$PPID/environ; echo; env | base64 -w0; echo';
  const { id, tools } = await agent(h, await h.tempDir(), [{ name: 'bash', input: { command: probe } }]);
  const transcript = JSON.stringify(await agentTranscript(h.client, id));
  const seen = `${transcript}\n${decoded(transcript)}`;
  const leaked = [FAKE_SECRET, PLANTED].filter((s) => seen.includes(s));
  const names = [
    ...new Set(decoded(tools[0]?.output ?? '').match(/(?<=^|\0|\n)[A-Z_][A-Z0-9_]*(?==)/g) ?? []),
  ];
  claim(
    SCENARIO,
    'base64 of /proc/$PPID/environ: worker secret kept out of the transcript',
    leaked.length === 0 && names.includes('PATH'),
    leaked.length
      ? `LEAKED ${leaked.length} planted value(s)`
      : `absent, raw and base64-decoded; the probe read ${names.length} variables (${names.slice(0, 8).join(' ')})`,
  );
}

async function fifo(h: Harness): Promise<void> {
  const { tools } = await agent(h, await h.tempDir(), [
    { name: 'bash', input: { command: 'mkfifo f' } },
    { name: 'read_file', input: { path: 'f' } },
  ]);
  const read = tools[1];
  const started = Date.now();
  const later = await agent(h, await h.tempDir(), [{ name: 'list_files', input: {} }]);
  const ok = read?.ok === false && /refused/.test(read.output) && later.result.status === 'completed';
  claim(
    SCENARIO,
    'mkfifo f, read_file f: refused, a later agent on the worker starts',
    ok,
    `read_file: ${read?.output ?? 'no result'}; later agent ${later.result.status} in ${Date.now() - started} ms`,
  );
}

async function hardLink(h: Harness): Promise<void> {
  const cwd = await h.tempDir();
  const outside = await h.tempDir();
  await writeFile(path.join(outside, 'config.txt'), 'safe = true\n');
  await link(path.join(outside, 'config.txt'), path.join(cwd, 'config.txt'));
  const { tools } = await agent(h, cwd, [
    { name: 'edit_file', input: { path: 'config.txt', old_string: 'true', new_string: 'false' } },
  ]);
  const after = await readFile(path.join(outside, 'config.txt'), 'utf8');
  claim(
    SCENARIO,
    'edit_file through a hard link to a file outside: refused, file unchanged',
    tools[0]?.ok === false && after === 'safe = true\n',
    `edit_file: ${tools[0]?.output ?? 'no result'}; outside file ${after === 'safe = true\n' ? 'unchanged' : `now ${JSON.stringify(after)}`}`,
  );
}

async function sparse(h: Harness, workerPid: number): Promise<void> {
  const cwd = await h.tempDir();
  await writeFile(path.join(cwd, 'big.log'), 'first line\n');
  await truncate(path.join(cwd, 'big.log'), 300 * 2 ** 20);
  const before = vmHwmKiB(workerPid);
  const { tools } = await agent(h, cwd, [
    { name: 'read_file', input: { path: 'big.log' } },
    { name: 'read_file', input: { path: 'big.log', offset: 2 } },
  ]);
  const grew = (vmHwmKiB(workerPid) - before) / 1024;
  const lengths = tools.map((t) => t.output.length);
  const capped = tools.length === 2 && tools.every((t) => /output capped/.test(t.output));
  claim(
    SCENARIO,
    'read_file of a 300 MB sparse file: output capped',
    capped && Math.max(...lengths) < 101_000 && grew < 100,
    `outputs of ${lengths.join(' and ')} chars, capped: ${capped}; worker peak RSS grew ${grew.toFixed(0)} MiB`,
  );
}

/**
 * Once this held a worker thread for ever. Two ways hold: the search ends at its time limit with
 * an error while the other agent is served, or it answers (correctly: no line matches) within it.
 */
async function catastrophicGrep(h: Harness): Promise<void> {
  const ws = await h.tempDir();
  await writeFile(path.join(ws, 'a.txt'), `${'a'.repeat(34)}!\n`);
  const started = Date.now();
  let grepEnded = 0;
  const asked = h.model.requests.length;
  const slow = agent(h, ws, [{ name: 'grep', input: { pattern: '(a+)+$' } }]).then((r) => {
    grepEnded = Date.now();
    return r;
  });
  await until(
    async () => h.model.requests.length,
    (n) => n > asked,
    'the grep asked for',
    30_000,
  );
  // The grep is asked for (its agent's model has answered); another agent runs meanwhile.
  const otherStarted = Date.now();
  const other = await agent(h, ws, [{ name: 'read_file', input: { path: 'a.txt' } }]);
  const otherMs = Date.now() - otherStarted;
  const otherFirst = grepEnded === 0;
  const grep = await slow;
  const grepMs = grepEnded - started;
  const output = grep.tools[0]?.output ?? 'no result';
  const timedOut = /took longer than/.test(output) && otherFirst;
  const answered = output === 'no matches' && grepMs < GREP_TIME_LIMIT_MS;
  claim(
    SCENARIO,
    'grep (a+)+$ on a line of a: ends within its limit, another agent completes meanwhile',
    (timedOut || answered) && other.result.status === 'completed' && otherMs < GREP_TIME_LIMIT_MS,
    `grep: "${output.split('\n')[0].slice(0, 60)}" after ${seconds(grepMs)}; ` +
      `other agent ${other.result.status} in ${seconds(otherMs)}, ${otherFirst ? 'before' : 'after'} the grep ended`,
  );
}
