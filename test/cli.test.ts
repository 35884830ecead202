/**
 * The `orchestra` command: its output and its exit code. Most tests run the program in this
 * process (helpers/cli.ts); the main flow, an error under --json and --version run it as a user
 * does, a process.
 */
import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { waitForAgent } from '../src/temporal/agents';
import { harnessEnv, runCli, runCliHere } from './helpers/cli';
import { until } from './helpers/poll';
import { useHarness, waitForStatus } from './helpers/harness';

const h = useHarness();

const env = (more: Record<string, string>) => ({
  ...harnessEnv(h),
  ORCHESTRA_MODEL: 'claude-scripted-test',
  ...more,
});
const orchestra = (args: string[], more: Record<string, string> = {}) => runCliHere(args, env(more));
const orchestraProcess = (args: string[]) => runCli(args, env({}));

test('agent spawn --wait follows the agent live and prints its result', async () => {
  const task = h.script([
    { text: 'Writing.', toolCalls: [{ name: 'write_file', input: { path: 'x.txt', content: 'x' } }] },
    { text: 'wrote x.txt' },
  ]);
  const cwd = await h.tempDir();
  const run = await orchestraProcess(['agent', 'spawn', task, '--cwd', cwd, '--name', 'writer', '--wait']);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/status +idle → running/);
  expect(run.stdout).toMatch(/tool +write_file \{"path":"x.txt","content":"x"\}/);
  expect(run.stdout).toMatch(/result +✓ write_file: wrote 1 chars to x.txt/);
  expect(run.stdout).toMatch(
    /✓ agent \S+ completed\nresult: +wrote x.txt\nmetrics: .* 2 iterations · 1 tool calls/,
  );
  expect(run.stdout).toMatch(/files: +x.txt/);
});

test('agent spawn --json, status --json, list --json and logs', async () => {
  const task = h.script([{ text: 'ok' }]);
  const spawned = await orchestra([
    'agent',
    'spawn',
    task,
    '--cwd',
    await h.tempDir(),
    '--id',
    `cli-${Date.now()}`,
    '--json',
  ]);
  expect(spawned.code).toBe(0);
  const { id, workflowId } = JSON.parse(spawned.stdout);
  expect(workflowId).toBe(`agent-${id}`);
  await waitForAgent(h.client, id);

  const status = JSON.parse((await orchestra(['agent', 'status', id, '--json'])).stdout);
  expect(status).toMatchObject({ id, status: 'completed', result: 'ok', iterations: 1 });

  // The visibility store catches up in its own time; a listing that fails meanwhile (a loaded
  // machine) says why in the error and is asked again. Other shards share the server and list
  // newest first, so a limit of 50 could push this agent off the page between two listings.
  const listed = await until(
    async () => {
      const run = await orchestra(['agent', 'list', '--status', 'completed', '--limit', '1000', '--json']);
      if (run.code !== 0) throw new Error(`agent list exited ${run.code}: ${run.stderr}`);
      return JSON.parse(run.stdout) as Array<{ id: string; status: string }>;
    },
    (agents) => agents.some((a) => a.id === id && a.status === 'completed'),
    'the completed agent in `agent list --json`',
  );
  expect(listed).toContainEqual(
    expect.objectContaining({
      id,
      name: expect.any(String),
      task,
      status: 'completed',
      kind: 'adhoc',
      workspace: 'default',
      owner: expect.any(String),
    }),
  );

  // For a person: the same row, the task in it, how long ago it started.
  const table = (await orchestra(['agent', 'list', '--status', 'completed', '--limit', '1000'])).stdout.split(
    '\n',
  );
  expect(table[0]).toMatch(/^ID +NAME +STATUS +TASK +COST +STARTED/);
  expect(table.find((line) => line.startsWith(`${id} `))).toMatch(/ completed +\S.* +\d+[smhd] ago/);

  const logs = await orchestra(['agent', 'logs', id]);
  expect(logs.stdout).toMatch(new RegExp(`#1 +spawned +${id}`));
  expect(logs.stdout).toMatch(/#2 +task/);
  expect(logs.stdout).toMatch(/status +running → completed/);
  const jsonLogs = (await orchestra(['agent', 'logs', id, '--json'])).stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect(jsonLogs.slice(0, 2)).toMatchObject([
    { seq: 1, type: 'spawned', agentId: id },
    { seq: 2, type: 'task' },
  ]);
});

test('pause, resume, message and cancel from the CLI; logs --follow ends with the agent', async () => {
  const task = h.busyTask(300);
  const { id } = JSON.parse(
    // Enough model calls to outlive the test, however fast each step is.
    (
      await orchestra([
        'agent',
        'spawn',
        task,
        '--cwd',
        await h.tempDir(),
        '--max-iterations',
        '5000',
        '--json',
      ])
    ).stdout,
  );
  await waitForStatus(h.client, id, (v) => v.status === 'running');
  expect(await orchestra(['agent', 'pause', id, '--reason', 'review'])).toMatchObject({
    code: 0,
    stdout: `pause taken by agent ${id} (was running, now paused)\n`,
  });
  await waitForStatus(h.client, id, (v) => v.status === 'paused' && v.pausedReason === 'review');
  expect((await orchestra(['agent', 'message', id, 'look at src/ too'])).code).toBe(0);
  expect((await orchestra(['agent', 'resume', id])).code).toBe(0);
  await waitForStatus(h.client, id, (v) => v.status === 'running');
  const following = orchestra(['agent', 'logs', id, '--follow']);
  expect((await orchestra(['agent', 'cancel', id, '--reason', 'enough'])).code).toBe(0);
  const followed = await following;
  expect({ code: followed.code, stderr: followed.stderr }).toEqual({ code: 0, stderr: '' });
  expect(followed.stdout).toMatch(/message +look at src\/ too/);
  expect(followed.stdout).toMatch(/status +running → cancelled \(enough\)/);
});

describe('errors are clear and exit non-zero', () => {
  test('an invalid transition exits 4', async () => {
    const task = h.script([{ text: 'done' }]);
    const { id } = JSON.parse(
      (await orchestra(['agent', 'spawn', task, '--cwd', await h.tempDir(), '--json'])).stdout,
    );
    await waitForAgent(h.client, id);
    const run = await orchestra(['agent', 'resume', id]);
    expect(run).toMatchObject({
      code: 4,
      stderr: 'error: cannot resume: the agent is completed, and nothing leaves completed\n',
    });
  });

  test('an unknown agent exits 3', async () => {
    expect(await orchestra(['agent', 'status', 'no-such-agent'])).toMatchObject({
      code: 3,
      stderr: 'error: no agent with id "no-such-agent"\n',
    });
    expect((await orchestra(['agent', 'pause', 'no-such-agent'])).code).toBe(3);
  });

  test('an unreachable server exits 5 and says what to do', async () => {
    const run = await orchestra(['agent', 'list'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
    expect(run.code).toBe(5);
    expect(run.stderr).toMatch(
      /cannot reach the Temporal server at 127.0.0.1:1 .*start one with `orchestra server`/,
    );
  });

  test('under --json an error is one JSON object on stderr with its code; --version prints the version', async () => {
    const missing = await orchestraProcess(['agent', 'status', 'no-such-agent', '--json']);
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stderr)).toEqual({
      error: { code: 'not_found', message: expect.stringMatching(/no-such-agent/) },
    });
    const { version } = JSON.parse(await readFile(path.join(__dirname, '..', 'package.json'), 'utf8'));
    expect(await orchestraProcess(['--version'])).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  test.each([
    [['agent', 'spawn', 'x', '--max-iterations', 'lots'], /--max-iterations.*must be a positive integer/],
    [
      ['agent', 'spawn', 'x', '--type', 'robot'],
      /Allowed choices are adhoc, background, subagent, interactive/,
    ],
    [['agent', 'spawn', 'x', '--cwd', '/no/such/dir'], /cwd \/no\/such\/dir is not an existing directory/],
    [['agent', 'spawn', 'x', '--id', 'bad id!'], /invalid spawn request/],
    [['agent', 'message', 'some-id', '   '], /the message is empty/],
    [['agent', 'spawn', 'x', '--tools', 'bash,teleport'], /invalid spawn request: .*tools/s],
    [['agent', 'spawn', 'x', '--temperature', '7'], /invalid spawn request: .*temperature/s],
    [['agent', 'list', '--status', 'sleeping'], /Allowed choices are idle, running/],
    [['agent', 'frobnicate'], /unknown command 'frobnicate'/],
  ])('bad input %j exits 2', async (args, message) => {
    const run = await orchestra(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

test('health: the server answers; --worker needs a worker of this host polling the queue', async () => {
  const server = await orchestra(['health']);
  expect(server).toMatchObject({ code: 0, stdout: expect.stringMatching(/answers/) });
  // The harness's worker runs in this process, on this host.
  await h.spawn({ task: h.script([{ text: 'ok' }]) });
  const polled = await orchestra(['health', '--worker']);
  expect(polled.code).toBe(0);
  expect(polled.stdout).toMatch(new RegExp(`polling ${h.taskQueue}: ${process.pid}@\\S+ \\(\\d+ s ago\\)`));
  const idle = await orchestra(['health', '--worker'], { ORCHESTRA_TASK_QUEUE: 'nobody-polls-this' });
  expect(idle).toMatchObject({
    code: 1,
    stdout: expect.stringMatching(/no worker of this host polls nobody-polls-this/),
  });
  const down = await orchestra(['health'], { TEMPORAL_ADDRESS: '127.0.0.1:1' });
  expect(down.code).toBe(5);
});
