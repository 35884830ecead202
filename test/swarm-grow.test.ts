/**
 * Swarms that grow while they run (`swarm create`, `swarm add`, `POST /swarms/:id/agents`,
 * `swarm close`), on the scripted model. (test/supervisor-workers.test.ts: a supervisor's
 * distinct workers.)
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { agentStatus } from '../src/temporal/agents';
import { addSwarmAgent, closeSwarm } from '../src/temporal/swarm-intake';
import { swarmEvents, swarmStatus, waitForSwarm } from '../src/temporal/swarms';
import { useApi } from './helpers/api';
import { harnessEnv, runCliHere } from './helpers/cli';
import { gitIn, makeRepo, removeScratchDirs } from './helpers/git-repo';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';
import { replayClosedRuns } from './helpers/replay';

const h = useHarness();
const api = useApi(h);
afterAll(removeScratchDirs);

// The CLI acts as alice in acme, so that alice may steer through the API what it started.
const orchestra = (args: string[]) =>
  runCliHere(args, {
    ...harnessEnv(h),
    ORCHESTRA_USER: 'alice',
    ORCHESTRA_WORKSPACE: 'acme',
  });
const says = (text: string) => h.script([{ text }]);
const newId = () => `grow-${randomUUID().slice(0, 8)}`;
/** Workflows the suite ran to their end, replayed at its end against today's code. */
const ended: string[] = [];

describe('an open swarm', () => {
  test('takes agents from the CLI and the API while it runs, and merges all three once closed', async () => {
    const id = newId();
    const created = await orchestra(['swarm', 'create', '--id', id, '--cwd', await h.tempDir(), '--json']);
    expect({ code: created.code, stderr: created.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(created.stdout)).toEqual({ id, workflowId: `swarm-${id}` });
    expect(await swarmStatus(h.client, id)).toMatchObject({ status: 'running', agents: [] });

    // One that takes a while, so that it is seen running; one quick; one through the API.
    // Running until the test has seen it so, however loaded the machine.
    const slowGate = `grow-slow-${randomUUID()}`;
    const slow = h.script([{ text: 'from the slow one', gate: slowGate }]);
    const first = await orchestra(['swarm', 'add', id, '--task', slow, '--name', 'slow', '--json']);
    expect({ code: first.code, stderr: first.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(first.stdout)).toEqual({ swarmId: id, id: `${id}.1`, name: 'slow', role: 'added 1' });
    const second = await orchestra(['swarm', 'add', id, '--task', says('from the quick one')]);
    expect(second).toMatchObject({
      code: 0,
      stdout: `added agent ${id}.2 (added 2) to swarm ${id}; workflow agent-${id}.2\n`,
    });
    const third = await api.call('alice', 'POST', `/swarms/${id}/agents`, {
      name: 'by-api',
      task: says('from the API'),
      tools: ['read_file'],
    });
    expect(third.status).toBe(201);
    expect(third.body).toEqual({ swarmId: id, id: `${id}.3`, name: 'by-api', role: 'added 3' });
    expect(third.headers.get('location')).toBe(`/api/v1/agents/${id}.3`);

    // They run as agents of the swarm: the slow one is seen running, each was spawned.
    await until(
      () => swarmStatus(h.client, id),
      (s) => s.agents.some((a) => a.name === 'slow' && a.status === 'running'),
      'the slow agent running',
    );
    const spawned = await until(
      async () => (await swarmEvents(h.client, id)).filter((e) => e.type === 'spawned'),
      (events) => events.length === 3,
      'three spawned events',
    );
    expect(spawned.map((e) => 'agentId' in e && e.agentId).sort()).toEqual([`${id}.1`, `${id}.2`, `${id}.3`]);
    expect((await agentStatus(h.client, `${id}.3`)).swarmId).toBe(id);
    h.model.openGate(slowGate);
    // Not closed: done agents do not end it.
    await until(
      () => swarmStatus(h.client, id),
      (s) => s.agents.filter((a) => a.status === 'completed').length === 3,
      'all three agents completed',
    );
    expect((await swarmStatus(h.client, id)).status).toBe('running');

    // Closing it from the CLI: the live view lists the three, the summary merges them.
    const closed = await orchestra(['swarm', 'close', id, '--reason', 'enough', '--wait']);
    expect({ code: closed.code, stderr: closed.stderr }).toEqual({ code: 0, stderr: '' });
    expect(closed.stdout).toMatch(new RegExp(`^closed swarm ${id}: it ends once its 3 agents are done`, 'm'));
    expect(closed.stdout).toMatch(new RegExp(`^${id}\\.1 slow completed`, 'm'));
    expect(closed.stdout).toMatch(new RegExp(`^${id}\\.3 by-api completed`, 'm'));
    expect(closed.stdout).toMatch(new RegExp(`✓ swarm ${id} \\(parallel\\) completed`));
    const out = await waitForSwarm(h.client, id);
    expect(out.status).toBe('completed');
    expect(out.result).toBe(
      [
        `## slow (${id}.1, completed)\nfrom the slow one`,
        `## added 2 (${id}.2, completed)\nfrom the quick one`,
        `## by-api (${id}.3, completed)\nfrom the API`,
      ].join('\n\n'),
    );
    expect(out.stats).toMatchObject({ spawned: 3, completed: 3 });
    ended.push(`swarm-${id}`);
    expect(await swarmEvents(h.client, id)).toContainEqual(
      expect.objectContaining({ type: 'closed', agents: 3, reason: 'enough' }),
    );

    // Ended: an add is refused, by the CLI (exit 4) and the API (409), and so is a close.
    expect(await orchestra(['swarm', 'add', id, '--task', 'too late'])).toMatchObject({
      code: 4,
      stderr: expect.stringMatching(
        new RegExp(`cannot add an agent to swarm ${id}: it has ended \\(completed\\)`),
      ),
    });
    const late = await api.call('alice', 'POST', `/swarms/${id}/agents`, { task: 'too late' });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/it has ended \(completed\)/);
    expect((await orchestra(['swarm', 'close', id])).code).toBe(4);
  });

  test('adding past maxSubagents, to a closed swarm or a paused one is refused; closed empty, it fails', async () => {
    const id = newId();
    const created = await orchestra([
      'swarm',
      'create',
      '--id',
      id,
      '--max-subagents',
      '2',
      '--cwd',
      await h.tempDir(),
    ]);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(`created open swarm ${id}: add agents with \`orchestra swarm add ${id}`);
    // One that works until it is cancelled, so that the swarm is still running when closed (a
    // second a turn: its 50 turns outlast the nine CLI calls below however loaded the machine).
    expect((await orchestra(['swarm', 'add', id, '--task', h.busyTask(1000)])).code).toBe(0);
    expect((await orchestra(['swarm', 'add', id, '--task', says('quick')])).code).toBe(0);
    const third = await orchestra(['swarm', 'add', id, '--task', says('one too many')]);
    expect(third).toMatchObject({
      code: 4,
      stderr: expect.stringMatching(
        new RegExp(`budget exceeded: maxSubagents \\(2\\); swarm ${id} has 2 agents`),
      ),
    });
    const viaApi = await api.call('alice', 'POST', `/swarms/${id}/agents`, { task: 'one too many' });
    expect(viaApi.status).toBe(409);
    // A refused add is not an agent, and does not stop the swarm.
    expect(await swarmStatus(h.client, id)).toMatchObject({
      status: 'running',
      budgets: { maxSubagents: 2 },
    });
    expect((await swarmStatus(h.client, id)).agents).toHaveLength(2);

    // Paused, it takes none; closed (its slow agent still at work), none either.
    expect((await orchestra(['swarm', 'pause', id])).code).toBe(0);
    expect(await orchestra(['swarm', 'add', id, '--task', 'x'])).toMatchObject({
      code: 4,
      stderr: expect.stringMatching(/is paused: resume it, then add the agent/),
    });
    expect((await orchestra(['swarm', 'resume', id])).code).toBe(0);
    const closed = await api.call('alice', 'POST', `/swarms/${id}/close`, {});
    expect(closed).toMatchObject({ status: 202, body: { swarmId: id, agents: 2 } });
    expect(await orchestra(['swarm', 'add', id, '--task', 'x'])).toMatchObject({
      code: 4,
      stderr: expect.stringMatching(new RegExp(`swarm ${id} is closed: it takes no new agents`)),
    });
    expect((await api.call('alice', 'POST', `/swarms/${id}/close`, {})).body.error.message).toMatch(
      /is closed already/,
    );
    expect((await orchestra(['agent', 'cancel', `${id}.1`])).code).toBe(0);
    expect(await waitForSwarm(h.client, id)).toMatchObject({
      status: 'completed',
      result: expect.stringContaining('quick'),
      stats: { spawned: 2, completed: 1, cancelled: 1 },
    });

    // Closed with no agents, it has nothing to merge.
    const empty = newId();
    expect(
      (await orchestra(['swarm', 'create', '--id', empty, '--task', 'nothing', '--cwd', await h.tempDir()]))
        .code,
    ).toBe(0);
    expect((await orchestra(['swarm', 'close', empty, '--wait'])).code).toBe(1);
    expect(await waitForSwarm(h.client, empty)).toMatchObject({
      status: 'failed',
      error: 'closed with no agents',
    });
    ended.push(`swarm-${id}`, `swarm-${empty}`);
  });

  test('a running parallel swarm takes an agent too; other strategies and bad templates are refused', async () => {
    // Running until the three adds are done (each a CLI process, seconds on a loaded machine).
    const running = `grow-running-${randomUUID()}`;
    const id = await h.swarm({
      strategy: 'parallel',
      task: 'unused',
      agents: [{ name: 'original', task: h.script([{ text: 'original', gate: running }]) }],
    });
    // A registry entry, filled in from the worker's registry; an unknown one is bad input.
    const explore = says('found it');
    const explorer = await orchestra([
      'swarm',
      'add',
      id,
      '--agent',
      'explorer',
      '--task',
      explore,
      '--json',
    ]);
    expect({ code: explorer.code, stderr: explorer.stderr }).toEqual({ code: 0, stderr: '' });
    expect(JSON.parse(explorer.stdout)).toMatchObject({ id: `${id}.2`, name: 'explorer' });
    expect(await orchestra(['swarm', 'add', id, '--agent', 'nobody', '--task', 'x'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/nobody/),
    });
    const added = await orchestra([
      'swarm',
      'add',
      id,
      '--task',
      says('late but welcome'),
      '--name',
      'late',
      '--json',
    ]);
    expect(added.code).toBe(0);
    expect(JSON.parse(added.stdout).id).toBe(`${id}.3`);
    h.model.openGate(running);
    const out = await waitForSwarm(h.client, id);
    expect(out.agents.map((a) => `${a.name} ${a.status} ${a.result}`)).toEqual([
      'original completed original',
      'explorer completed found it',
      'late completed late but welcome',
    ]);
    const [explorerCall] = h.requestsFor(explore);
    expect(explorerCall.system).toContain('You are an explorer.');
    expect(explorerCall.tools.sort()).toEqual(['grep', 'list_files', 'read_file']);
    ended.push(`swarm-${id}`);

    const pipeline = await h.swarm({
      strategy: 'pipeline',
      task: h.busyTask(200),
      stages: [{ name: 'only' }],
    });
    expect(await orchestra(['swarm', 'add', pipeline, '--task', 'x'])).toMatchObject({
      code: 4,
      stderr: expect.stringMatching(
        /a pipeline swarm takes no agents while it runs: only a parallel swarm does/,
      ),
    });
    expect(await orchestra(['swarm', 'close', pipeline])).toMatchObject({ code: 4 });
    expect(
      await orchestra(['swarm', 'add', pipeline, '--task', 'x', '--tools', 'bash,teleport']),
    ).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/invalid agent template/),
    });
    const bad = await api.call('alice', 'POST', `/swarms/${pipeline}/agents`, { task: 'x', colour: 'red' });
    expect(bad.status).toBe(400);
    expect(await orchestra(['swarm', 'add', 'no-such-swarm', '--task', 'x'])).toMatchObject({ code: 3 });
    expect((await orchestra(['swarm', 'cancel', pipeline])).code).toBe(0);
  });
});

test('in a git repository, each agent added works in a worktree of its own, merged once closed', async () => {
  // Lines apart, so that git merges both edits.
  const FILE = 'one\ntwo\nthree\nfour\nfive\n';
  const repo = makeRepo({ 'shared.txt': FILE });
  const id = newId();
  expect((await orchestra(['swarm', 'create', '--id', id, '--cwd', repo])).code).toBe(0);
  const edit = (from: string, to: string) =>
    h.script([
      { toolCalls: [{ name: 'edit_file', input: { path: 'shared.txt', old_string: from, new_string: to } }] },
      { text: `changed ${from}` },
    ]);
  for (const [from, to] of [
    ['one', 'ONE'],
    ['five', 'FIVE'],
  ])
    expect((await orchestra(['swarm', 'add', id, '--task', edit(from, to), '--name', from])).code).toBe(0);
  await until(
    () => swarmStatus(h.client, id),
    (s) => s.agents.length === 2 && s.agents.every((a) => a.status === 'completed'),
    'both edits done',
  );
  expect((await orchestra(['swarm', 'close', id])).code).toBe(0);
  const out = await waitForSwarm(h.client, id);
  expect(out.status).toBe('completed');
  expect(out.agents.map((a) => `${a.name} ${a.landed}`)).toEqual(['one merged', 'five merged']);
  expect(gitIn(repo, 'show', `orchestra/${id}:shared.txt`)).toBe(
    FILE.replace('one', 'ONE').replace('five', 'FIVE'),
  );
  // The user's tree is as it was.
  expect(readFileSync(path.join(repo, 'shared.txt'), 'utf8')).toBe(FILE);
  ended.push(`swarm-${id}`);
});

test("an agent added as the swarm starts waits for its worktree: the user's tree is never its", async () => {
  const repo = makeRepo({ 'notes.txt': 'mine\n' });
  const spec = { strategy: 'parallel', task: 'unused', agents: [], open: true };
  const id = await h.swarm(spec, { cwd: repo });
  // At once, while the swarm is still making its worktrees.
  const write = h.script([
    { toolCalls: [{ name: 'write_file', input: { path: 'early.txt', content: 'early\n' } }] },
    { text: 'wrote it' },
  ]);
  await addSwarmAgent(h.client, id, { task: write, name: 'early' });
  await closeSwarm(h.client, id);
  const out = await waitForSwarm(h.client, id);
  expect(out.agents.map((a) => `${a.name} ${a.status} ${a.landed}`)).toEqual(['early completed merged']);
  expect(gitIn(repo, 'show', `orchestra/${id}:early.txt`)).toBe('early\n');
  expect(existsSync(path.join(repo, 'early.txt'))).toBe(false);
  ended.push(`swarm-${id}`);
});

test('the histories of swarms that grew, closed and refused replay cleanly', async () => {
  expect(ended.length).toBeGreaterThanOrEqual(5);
  const query = ended.map((id) => `WorkflowId="${id}"`).join(' OR ');
  expect(await replayClosedRuns(h.client, query, ended.length)).toEqual([]);
});
