/**
 * File tools and grep under attack (issue 11): FIFOs, hard links, directories swapped for
 * links while a tool runs, huge files and catastrophic patterns. Each test replays an attack
 * that once worked, through real agents on the suite's worker or the activities themselves.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { link, mkdir, mkdtemp, readdir, readFile, rm, symlink, truncate, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ToolOutcome } from '../src/domain';
import { agentEvents, waitForAgent } from '../src/temporal/agents';
import { readContextFiles } from '../activities/governance';
import { editFile, listFiles, readFile as readTool, writeFile as writeTool } from '../activities/tools/files';
import { grep, GREP_TIME_LIMIT_ENV } from '../activities/tools/grep';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();

// The catastrophic patterns below run to grep's time limit: 3 s here instead of the default 10
// (the worker is this process's, and reads the setting at each call). Long enough that the other
// agent of the last test finishes first on a loaded machine.
const LIMIT_SECONDS = 3;
let limitBefore: string | undefined;
beforeAll(() => {
  limitBefore = process.env[GREP_TIME_LIMIT_ENV];
  process.env[GREP_TIME_LIMIT_ENV] = String(LIMIT_SECONDS);
});
afterAll(() => {
  if (limitBefore === undefined) delete process.env[GREP_TIME_LIMIT_ENV];
  else process.env[GREP_TIME_LIMIT_ENV] = limitBefore;
});
const mkfifo = (...paths: string[]) => promisify(execFile)('mkfifo', paths);

let cwd: string;
let outside: string;
beforeEach(async () => {
  cwd = await h.tempDir();
  outside = await mkdtemp(path.join(tmpdir(), 'orchestra-outside-'));
  await writeFile(path.join(outside, 'secret.txt'), 'top secret\n');
});
afterEach(() => rm(outside, { recursive: true, force: true }));

const run = (fn: unknown, args: unknown, env = new MockActivityEnvironment()): Promise<ToolOutcome> =>
  env.run(fn as never, { agentId: 't', cwd, args } as never) as Promise<ToolOutcome>;
const output = (o: ToolOutcome) => (o.ok ? o.output : `ERROR ${o.error}`);

async function toolResults(id: string) {
  const events = await agentEvents(h.client, id);
  return events.flatMap((e) => (e.type === 'tool_result' ? [{ ok: e.ok, output: e.output }] : []));
}

test('a FIFO is refused at once, and agents started later on the same worker still start', async () => {
  // Once: each read blocked a libuv thread in open() for ever; four of them, and every later
  // agent hung reading its context files. README.md and AGENTS.md are FIFOs here too.
  const fifos = ['f1', 'f2', 'f3', 'f4', 'f5'];
  await mkfifo(...[...fifos, 'README.md', 'AGENTS.md'].map((f) => path.join(cwd, f)));
  const task = h.script([
    { toolCalls: fifos.map((f) => ({ name: 'read_file', input: { path: f } })) },
    { toolCalls: [{ name: 'grep', input: { pattern: 'x' } }] },
    { text: 'done' },
  ]);
  const id = await h.spawn({ task, cwd });
  expect((await waitForAgent(h.client, id)).status).toBe('completed');
  const results = await toolResults(id);
  // The five reads ran side by side: their results come in the order they ended.
  expect(results.slice(0, 5).sort((a, b) => (a.output < b.output ? -1 : 1))).toEqual(
    fifos.map((f) => ({
      ok: false,
      output: `refused: "${f}" is not a regular file (a FIFO, socket or device)`,
    })),
  );
  expect(results[5]).toEqual({ ok: true, output: 'no matches' }); // grep passes FIFOs over unopened

  const later = await h.tempDir();
  await writeFile(path.join(later, 'AGENTS.md'), 'Indent with tabs.');
  const next = h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: 'still serving' }]);
  const nextId = await h.spawn({ task: next, cwd: later });
  expect((await waitForAgent(h.client, nextId)).result).toBe('still serving');
  expect(h.requestsFor(next)[0].system).toContain('Indent with tabs.');
});

test('a hard link to a file outside is neither edited, written nor read, and the file stays as it was', async () => {
  await writeFile(path.join(outside, 'config.txt'), 'safe = true\n');
  await link(path.join(outside, 'config.txt'), path.join(cwd, 'config.txt'));
  const task = h.script([
    {
      toolCalls: [
        { name: 'edit_file', input: { path: 'config.txt', old_string: 'true', new_string: 'false' } },
      ],
    },
    { toolCalls: [{ name: 'write_file', input: { path: 'config.txt', content: 'owned\n' } }] },
    { toolCalls: [{ name: 'read_file', input: { path: 'config.txt' } }] },
    { text: 'done' },
  ]);
  const id = await h.spawn({ task, cwd });
  await waitForAgent(h.client, id);
  const refusal =
    'refused: "config.txt" has 2 hard links; another of its names may be outside the working directory';
  expect(await toolResults(id)).toEqual([
    { ok: false, output: refusal },
    { ok: false, output: refusal },
    { ok: false, output: refusal },
  ]);
  expect(await readFile(path.join(outside, 'config.txt'), 'utf8')).toBe('safe = true\n');
});

test('a link anywhere on a path is refused; context files that are links, FIFOs or hard links are passed over', async () => {
  await mkdir(path.join(cwd, 'a'));
  await symlink(outside, path.join(cwd, 'a/link'));
  expect(output(await run(writeTool, { path: 'a/link/new.txt', content: 'x' }))).toBe(
    'ERROR refused: "a/link" is a symbolic link',
  );
  expect(output(await run(writeTool, { path: 'a/link/deeper/new.txt', content: 'x' }))).toMatch(
    /"a\/link" is a symbolic link/,
  );
  expect(output(await run(readTool, { path: 'a/link/secret.txt' }))).toMatch(/"a\/link" is a symbolic link/);
  expect(output(await run(listFiles, { path: 'a/link' }))).toMatch(/"a\/link" is a symbolic link/);
  expect(output(await run(listFiles, { recursive: true }))).toBe('a/\na/link@');
  expect(output(await run(grep, { pattern: 'secret' }))).toBe('no matches');
  expect(await readdir(outside)).toEqual(['secret.txt']);

  await symlink(path.join(outside, 'secret.txt'), path.join(cwd, 'README.md'));
  await mkfifo(path.join(cwd, 'AGENTS.md'));
  expect(await readContextFiles({ cwd, maxChars: 1000 })).toEqual([]);
  const other = await h.tempDir();
  await link(path.join(outside, 'secret.txt'), path.join(other, 'README.md'));
  await writeFile(path.join(other, 'AGENTS.md'), 'Indent with tabs.');
  expect(await readContextFiles({ cwd: other, maxChars: 1000 })).toEqual([
    { name: 'AGENTS.md', content: 'Indent with tabs.' },
  ]);
});

describe('a directory swapped for a link to outside while tools run', () => {
  let swapper: ChildProcess | undefined;
  afterEach(() => swapper?.kill());

  test('no read, write, edit, grep or listing lands outside', async () => {
    // Once: 1 read in 50 and some writes went through the link, which was swapped in after
    // the path had been checked and before it was opened.
    await mkdir(path.join(cwd, 'd'));
    await writeFile(path.join(cwd, 'd/f.txt'), 'inside\n');
    await writeFile(path.join(outside, 'f.txt'), 'outside\n');
    const openFds = async () => (await readdir('/proc/self/fd')).length;
    const fdsBefore = await openFds();
    swapper = startSwapper(path.join(cwd, 'd'), outside);
    await swapsUnderWay(swapper);

    const calls: Promise<ToolOutcome>[] = [];
    const outcomes: ToolOutcome[] = [];
    for (let i = 0; i < 150; i++) {
      calls.push(run(readTool, { path: 'd/f.txt' }));
      calls.push(run(writeTool, { path: `d/w${i}.txt`, content: 'written\n' }));
      calls.push(run(writeTool, { path: 'd/f.txt', content: 'inside\n' }));
      calls.push(run(editFile, { path: 'd/f.txt', old_string: 'inside', new_string: 'inside' }));
      calls.push(run(grep, { pattern: 'side|secret' }));
      calls.push(run(listFiles, { recursive: true }));
      if (i % 10 === 9) outcomes.push(...(await Promise.all(calls.splice(0)))); // a few dozen at a time
    }
    swapper.kill();

    // The swaps met the calls: some found the link, or no directory at all.
    expect(outcomes.some((o) => !o.ok)).toBe(true);
    for (const outcome of outcomes) expect(output(outcome)).not.toMatch(/outside|secret/);
    expect((await readdir(outside)).sort()).toEqual(['f.txt', 'secret.txt']);
    expect(await readFile(path.join(outside, 'f.txt'), 'utf8')).toBe('outside\n');
    // Refused or not, every call closed what it opened (900 calls; a leak would show by the hundred).
    expect((await openFds()) - fdsBefore).toBeLessThan(20);
  });
});

/** A process that swaps `dir` for a link to `target` and back, as fast as it can, until killed. */
function startSwapper(dir: string, target: string): ChildProcess {
  const code = `
    const fs = require('node:fs');
    const [dir, target] = process.argv.slice(1);
    const aside = dir + '.aside';
    for (let n = 1; ; n++) {
      try {
        fs.renameSync(dir, aside);
        fs.symlinkSync(target, dir);
        fs.unlinkSync(dir);
        fs.renameSync(aside, dir);
      } catch {
        // A write made a new directory in the gap: put the real one back.
        try { fs.rmSync(dir, { recursive: true, force: true }); fs.renameSync(aside, dir); } catch {}
      }
      if (n % 200 === 0) process.stdout.write('.');
    }`;
  return spawn(process.execPath, ['-e', code, dir, target], { stdio: ['ignore', 'pipe', 'inherit'] });
}

function swapsUnderWay(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => child.stdout?.once('data', () => resolve()));
}

test('read_file reads a window of a 300 MB file, not the file', async () => {
  // Once: the whole file was read into memory (a 300 MB file added 1.35 GB to the worker).
  const big = path.join(cwd, 'big.log');
  await writeFile(big, 'first line\n');
  await truncate(big, 300 * 2 ** 20); // sparse: the rest is one long line of NULs
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const head = output(await run(readTool, { path: 'big.log' }));
    expect(head).toBe('     1\tfirst line\n[output capped at 100000 chars; read on with offset 2]');
    const long = output(await run(readTool, { path: 'big.log', offset: 2 }));
    expect(long.length).toBeLessThan(101_000);
    expect(long).toMatch(
      /^ {5}2\t\0+ … \[line cut\]\n\[output capped at 100000 chars; read on with offset 3\]$/,
    );
    expect(output(await run(grep, { pattern: 'first' }))).toMatch(/over 2000000 bytes not searched/);
  } finally {
    clearInterval(sampler);
  }
  expect(peak - before).toBeLessThan(100 * 2 ** 20);
});

/** Backtracks exponentially whichever regex engine V8 picks (a back-reference keeps the backtracking one). */
const CATASTROPHIC = '(a+)+\\1$';

test('a catastrophic grep pattern ends with a time limit while the event loop stays responsive', async () => {
  // Once: `(a+)+$` on this line held the event loop for 37 s, doubling with every "a". The worker now
  // hands runaway backtracking to V8's linear engine, which takes neither back-references nor
  // lookarounds: with one, a pattern still backtracks, and the time limit is what stops it.
  await writeFile(path.join(cwd, 'a.txt'), `${'a'.repeat(34)}!\n`);
  let last = Date.now();
  let worstLag = 0;
  const ticker = setInterval(() => {
    worstLag = Math.max(worstLag, Date.now() - last);
    last = Date.now();
  }, 50);
  const started = Date.now();
  try {
    const outcome = await run(grep, { pattern: CATASTROPHIC });
    expect(output(outcome)).toMatch(new RegExp(`^ERROR pattern took longer than ${LIMIT_SECONDS}s`));
  } finally {
    clearInterval(ticker);
  }
  expect(Date.now() - started).toBeGreaterThanOrEqual(LIMIT_SECONDS * 1000 - 100);
  // Loose on a busy machine, yet far from the whole time limit.
  expect(worstLag).toBeLessThan(2000);
  // The next search gets a fresh matching thread.
  expect(output(await run(grep, { pattern: 'a!$' }))).toBe(`a.txt:1:${'a'.repeat(34)}!`);
});

test('a grep cancelled while its pattern runs ends as cancelled, not at its time limit', async () => {
  await writeFile(path.join(cwd, 'a.txt'), `${'a'.repeat(34)}!\n`);
  const env = new MockActivityEnvironment();
  const call = run(grep, { pattern: CATASTROPHIC }, env);
  setTimeout(() => env.cancel(), 300);
  await expect(call).rejects.toBeInstanceOf(CancelledFailure);
});

test("an agent's catastrophic grep does not hold up another agent on the same worker", async () => {
  const ws = await h.tempDir();
  await writeFile(path.join(ws, 'a.txt'), `${'a'.repeat(34)}!\n`);
  const slow = h.script([
    { toolCalls: [{ name: 'grep', input: { pattern: CATASTROPHIC } }] },
    { text: 'gave up' },
  ]);
  const slowId = await h.spawn({ task: slow, cwd: ws });
  // The grep has been asked for: the model has answered the first request.
  await until(
    async () => h.requestsFor(slow).length,
    (n) => n > 0,
    'the slow agent asked the model',
    30_000,
    50,
  );

  const quick = h.script([
    { toolCalls: [{ name: 'read_file', input: { path: 'a.txt' } }] },
    { text: 'read it' },
  ]);
  const quickId = await h.spawn({ task: quick, cwd: ws });
  const order: string[] = [];
  await Promise.all([
    waitForAgent(h.client, quickId).then(() => order.push('quick')),
    waitForAgent(h.client, slowId).then(() => order.push('slow')),
  ]);
  // The grep takes its whole time limit; the other agent needs a second or less.
  expect(order).toEqual(['quick', 'slow']);
  expect((await toolResults(slowId))[0].output).toMatch(
    new RegExp(`^pattern took longer than ${LIMIT_SECONDS}s`),
  );
  expect((await toolResults(quickId))[0]).toEqual({
    ok: true,
    output: `     1\t${'a'.repeat(34)}!\n     2\t`,
  });
});
