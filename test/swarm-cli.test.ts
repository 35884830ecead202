/** `orchestra swarm ...` and `orchestra session ...`: what they print and their exit codes (run in this process: helpers/cli.ts). */
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { swarmStatus } from '../src/temporal/swarms';
import { harnessEnv, runCliHere } from './helpers/cli';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();

const orchestra = (args: string[]) => runCliHere(args, harnessEnv(h));

test('swarm run parallel --merge vote --wait shows the agents and the outcome', async () => {
  const task = h.script([{ text: '391' }]);
  const run = await orchestra([
    'swarm',
    'run',
    'parallel',
    task,
    '--agents',
    '3',
    '--merge',
    'vote',
    '--cwd',
    await h.tempDir(),
    '--wait',
  ]);
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/\.1 agent 1 completed · 0 tools/);
  expect(run.stdout).toMatch(/\.3 agent 3 completed/);
  expect(run.stdout).toMatch(
    /✓ swarm \S+ \(parallel\) completed\nresult:\n391\nmerge: +by vote: \S+\.1 with 3 of 3 votes\n/,
  );
  expect(run.stdout).toMatch(/stats: +wall .* critical path .* speedup/);
});

test('swarm run --spec file, status --json, pause and cancel; errors exit non-zero', async () => {
  const specFile = path.join(await h.tempDir(), 'spec.json');
  await writeFile(
    specFile,
    JSON.stringify({ strategy: 'pipeline', task: h.busyTask(200), stages: [{ name: 'only' }] }),
  );
  const started = await orchestra(['swarm', 'run', '--spec', specFile, '--cwd', await h.tempDir(), '--json']);
  expect(started.code).toBe(0);
  const { id } = JSON.parse(started.stdout);
  await until(
    () => swarmStatus(h.client, id),
    (s) => s.agents.length > 0,
    'the swarm started its first agent',
  );
  expect(JSON.parse((await orchestra(['swarm', 'status', id, '--json'])).stdout)).toMatchObject({
    id,
    strategy: 'pipeline',
    status: 'running',
  });
  expect((await orchestra(['swarm', 'pause', id, '--reason', 'look'])).code).toBe(0);
  expect(await orchestra(['swarm', 'pause', id])).toMatchObject({
    code: 4,
    stderr: expect.stringMatching(/cannot pause: the swarm is paused/),
  });
  expect((await orchestra(['swarm', 'cancel', id])).code).toBe(0);
  await until(
    () => swarmStatus(h.client, id),
    (s) => s.status === 'cancelled',
    'the paused swarm cancelled',
  );
  // Listed with its strategy and task, once the listing has caught up.
  await until(
    async () => (await orchestra(['swarm', 'list'])).stdout.split('\n').find((l) => l.startsWith(id)) ?? '',
    (row) => /^\S+ +cancelled +pipeline: \S/.test(row),
    'the cancelled swarm in `swarm list`',
  );
  // The server is shared: the other suites' newer swarms may be the five newest, so the row is
  // looked for in the default page, and --limit on its own.
  expect(JSON.parse((await orchestra(['swarm', 'list', '--json'])).stdout)).toContainEqual(
    expect.objectContaining({ id, strategy: 'pipeline', status: 'cancelled' }),
  );
  expect(JSON.parse((await orchestra(['swarm', 'list', '--json', '--limit', '1'])).stdout)).toHaveLength(1);

  expect((await orchestra(['swarm', 'status', 'nope'])).code).toBe(3);
  expect(await orchestra(['swarm', 'run', 'swirl', 'x'])).toMatchObject({
    code: 2,
    stderr: expect.stringMatching(/unknown strategy "swirl"/),
  });
  expect(await orchestra(['swarm', 'run', 'parallel', 'x', '--merge', 'best'])).toMatchObject({
    code: 2,
    stderr: expect.stringMatching(/merge "best" needs a scorer/),
  });
});

test('swarm run graph --wait shows each subtask as it moves; status draws the graph by stage', async () => {
  const specFile = path.join(await h.tempDir(), 'graph.json');
  const nodes = [
    // Long enough to be seen running by the view's polls (every 500 ms).
    { id: 'api', task: h.script([{ text: 'api done', delayMs: 2000 }]) },
    { id: 'ui', task: h.script([{ text: 'ui done' }]) },
    { id: 'e2e', task: h.script([{ text: 'e2e done' }]), dependsOn: ['api', 'ui'] },
  ];
  await writeFile(specFile, JSON.stringify({ strategy: 'graph', task: 'ship the export', nodes }));
  const run = await orchestra(['swarm', 'run', '--spec', specFile, '--cwd', await h.tempDir(), '--wait']);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(run.stdout).toMatch(/^subtask api running \(\S+\.1\)$/m);
  expect(run.stdout).toMatch(/^subtask e2e completed \(\S+\.3\)$/m);
  expect(run.stdout).toMatch(/✓ swarm \S+ \(graph\) completed\nresult:\ne2e done\n/);
  expect(run.stdout).toMatch(/merge: +a graph of 3 subtasks, 3 completed; critical path \w+ → e2e/);
  expect(run.stdout).toMatch(/stats: +wall .* critical path [\d.]+s in 2 steps · speedup/);
  const id = /swarm (\S+) \(graph\)/.exec(run.stdout)![1];
  const status = (await orchestra(['swarm', 'status', id])).stdout;
  expect(status).toMatch(/^graph · 3 subtasks · 4 at once · on failure: fail$/m);
  expect(status).toMatch(/^SUBTASK +STAGE +STATUS +NEEDS +AGENT +TIME +WHY$/m);
  expect(status).toMatch(/^e2e +2 +completed +api, ui +\S+\.3 +[\d.]+s$/m);
  expect(await orchestra(['swarm', 'run', 'graph', 'x', '--by', 'vibes'])).toMatchObject({ code: 2 });
});

test('swarm --help documents every strategy with an example spec', async () => {
  const help = (await orchestra(['swarm', '--help'])).stdout;
  for (const strategy of ['parallel', 'pipeline', 'supervisor', 'debate', 'graph']) {
    expect(help).toMatch(new RegExp(`\\{"strategy":"${strategy}"`));
    expect(help).toMatch(new RegExp(`orchestra swarm run ${strategy} `));
  }
});

test('session create, spawn into it, status and cancel from the CLI', async () => {
  const created = await orchestra([
    'session',
    'create',
    '--name',
    'sprint',
    '--directives',
    'be brief',
    '--cwd',
    await h.tempDir(),
    '--json',
  ]);
  expect(created.code).toBe(0);
  const { id } = JSON.parse(created.stdout);
  const task = h.script([{ text: 'ok' }]);
  const spawned = await orchestra([
    'agent',
    'spawn',
    task,
    '--session',
    id,
    '--cwd',
    await h.tempDir(),
    '--wait',
    '--json',
  ]);
  expect(JSON.parse(spawned.stdout)).toMatchObject({ status: 'completed' });
  const status = await orchestra(['session', 'status', id]);
  expect(status.stdout).toMatch(new RegExp(`session +${id} \\(sprint\\) · running`));
  expect(status.stdout).toMatch(/totals +1 agents · 1 iterations/);
  expect((await orchestra(['session', 'list', '--json'])).stdout).toContain(`"id": "${id}"`);
  // A person reads the session's name in the list.
  const row = (await orchestra(['session', 'list'])).stdout.split('\n').find((l) => l.startsWith(id));
  expect(row).toMatch(new RegExp(`^${id} +running +sprint +\\d+s ago`));
  expect((await orchestra(['session', 'cancel', id])).code).toBe(0);
  expect((await orchestra(['session', 'cancel', id])).code).toBe(4);
  expect((await orchestra(['agent', 'spawn', 'x', '--session', 'missing-session'])).code).toBe(3);
});
