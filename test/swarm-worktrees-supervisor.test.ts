/**
 * A supervisor's workers in a git repository, on the real dev server: each in a worktree of its
 * own, merged into the swarm's branch where the supervisor works, a conflict told to the
 * supervisor with its branch kept, the user's tree untouched. (test/swarm-worktrees.test.ts:
 * parallel and graph swarms.)
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { swarmWorkflowId } from '../src/domain';
import { agentEvents, agentStatus, agentTranscript } from '../src/temporal/agents';
import { swarmEvents, swarmStatus, waitForSwarm } from '../src/temporal/swarms';
import { gitIn, makeRepo, removeScratchDirs, write } from './helpers/git-repo';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';
import { replayClosedRuns } from './helpers/replay';
import { editTask, FILE, userState } from './helpers/swarm-repo';

const h = useHarness();
afterAll(removeScratchDirs);
const edit = (from: string, to: string) => editTask(h, from, to);

describe("a supervisor's workers in a git repository", () => {
  // Each test but the last only touches swarms and repositories of its own: they run at the same
  // time. The last replays what they ran, after them.
  /** Workflows the tests below ran to their end, replayed at the end against today's code. */
  const ended: string[] = [];
  const writes = (file: string, content: string) =>
    h.script([
      { toolCalls: [{ name: 'write_file', input: { path: file, content } }] },
      { text: `wrote ${file}` },
    ]);
  /** An agent's tool results, in the order of its calls; the supervisor's by default. */
  const toolResults = async (swarmId: string, agentId = `${swarmId}.1`) =>
    (await agentTranscript(h.client, agentId))
      .filter((m) => m.role === 'user')
      .flatMap((m) => m.content as unknown as Array<{ type: string; content?: string; is_error?: boolean }>)
      .filter((b) => b.type === 'tool_result');

  test.concurrent(
    'two coding workers at once, each in its worktree: both land on the swarm branch, the supervisor sees them there, the user tree is untouched',
    async () => {
      const repo = makeRepo({ 'shared.txt': FILE });
      write(repo, 'shared.txt', FILE.replace('four', 'four (mine)'));
      write(repo, 'notes.txt', 'my notes');
      const before = userState(repo);
      // Worker a reads the plan the supervisor wrote before delegating, not yet committed by it.
      // Each worker's first answer waits at one gate, opened once both have asked: neither can end
      // before the other has started, however late one worktree is made on a loaded machine.
      const both = `both-workers-${randomUUID()}`;
      const readsPlan = h.script([
        {
          toolCalls: [
            { name: 'read_file', input: { path: 'plan.txt' } },
            { name: 'write_file', input: { path: 'a.txt', content: 'from a' } },
          ],
          gate: both,
        },
        { text: 'wrote a.txt' },
      ]);
      const writesB = h.script([
        { toolCalls: [{ name: 'write_file', input: { path: 'b.txt', content: 'from b' } }], gate: both },
        { text: 'wrote b.txt' },
      ]);
      const supervisor = h.script([
        { toolCalls: [{ name: 'write_file', input: { path: 'plan.txt', content: 'a, then b' } }] },
        {
          toolCalls: [
            { name: 'delegate', input: { task: readsPlan, name: 'a' } },
            { name: 'delegate', input: { task: writesB, name: 'b' } },
          ],
        },
        {
          toolCalls: [
            { name: 'list_files', input: { path: '.' } },
            { name: 'write_file', input: { path: 'summary.txt', content: 'a and b' } },
          ],
        },
        { text: 'both done' },
      ]);
      const id = await h.swarm({ strategy: 'supervisor', task: supervisor }, { cwd: repo });
      await until(
        async () => [readsPlan, writesB].map((task) => h.requestsFor(task).length),
        (asked) => asked.every((n) => n > 0),
        'both workers asking the model',
      );
      h.model.openGate(both);
      const out = await waitForSwarm(h.client, id);
      expect(out).toMatchObject({ status: 'completed', result: 'both done' });
      expect(out.agents.map((a) => `${a.id} ${a.role} ${a.landed}`).sort()).toEqual([
        `${id}.1 supervisor undefined`,
        `${id}.1.1 worker merged`,
        `${id}.1.2 worker merged`,
      ]);
      // Both ran at once: each started before the other ended.
      const [a, b] = out.agents.filter((w) => w.role === 'worker');
      expect(a.startedAt < b.endedAt! && b.startedAt < a.endedAt!).toBe(true);
      expect(out.worktrees).toMatchObject({ integrationBranch: `orchestra/${id}`, dirty: true, kept: [] });
      // The workers' files and the supervisor's own, on the swarm's branch; the user's tree as it was.
      const show = (file: string) => gitIn(repo, 'show', `orchestra/${id}:${file}`);
      expect([show('a.txt'), show('b.txt'), show('plan.txt'), show('summary.txt')]).toEqual([
        'from a',
        'from b',
        'a, then b',
        'a and b',
      ]);
      expect(show('shared.txt')).toBe(FILE);
      expect(userState(repo)).toEqual(before);
      // Each delegation's result says where its work went; the supervisor's cwd then had both files.
      const results = await toolResults(id);
      expect(results[1].content).toContain(`merged into the swarm's branch orchestra/${id}`);
      expect(results[3].content).toMatch(/a\.txt[\s\S]*b\.txt/);
      const workerA = out.agents.find((w) => w.name === 'a')!;
      const [readByA] = await toolResults(id, workerA.id);
      expect(readByA).toMatchObject({ content: expect.stringContaining('a, then b') });
      expect(readByA?.is_error).toBeFalsy();
      // Worktrees gone, merged workers' branches too; the supervisor lists both workers.
      expect(gitIn(repo, 'worktree', 'list').trim().split('\n')).toHaveLength(1);
      expect(gitIn(repo, 'branch', '--list', 'orchestra/*').trim()).toBe(`orchestra/${id}`);
      expect((await agentStatus(h.client, `${id}.1`)).subagents).toEqual([`${id}.1.1`, `${id}.1.2`]);
      ended.push(`swarm-${id}`, `agent-${id}.1`, `agent-${id}.1.1`, `agent-${id}.1.2`);
    },
  );

  test.concurrent(
    'two workers edit the same line: one lands, the other is a conflict the supervisor reads, its branch kept',
    async () => {
      const repo = makeRepo({ 'shared.txt': FILE, 'notes.txt': 'n' });
      const before = userState(repo);
      const supervisor = h.script([
        {
          toolCalls: [
            { name: 'delegate', input: { task: edit('three', 'THREE') } },
            { name: 'delegate', input: { task: edit('three', 'drei') } },
          ],
        },
        { text: 'one of them conflicted' },
      ]);
      const id = await h.swarm({ strategy: 'supervisor', task: supervisor }, { cwd: repo });
      const out = await waitForSwarm(h.client, id);
      expect(out.status).toBe('completed');
      const workers = out.agents.filter((w) => w.role === 'worker');
      expect(workers.map((w) => w.landed).sort()).toEqual(['conflict', 'merged']);
      const loser = workers.find((w) => w.landed === 'conflict')!;
      expect(out.worktrees!.kept).toEqual([
        { agentId: loser.id, branch: loser.branch, landed: 'conflict', files: ['shared.txt'] },
      ]);
      // Nothing lost: the losing edit on its branch, the winner's on the swarm's.
      const lost = loser.id === `${id}.1.1` ? 'THREE' : 'drei';
      expect(gitIn(repo, 'show', `${loser.branch}:shared.txt`)).toContain(lost);
      expect(gitIn(repo, 'show', `orchestra/${id}:shared.txt`)).not.toContain(lost);
      expect(userState(repo)).toEqual(before);
      // The supervisor was told plainly: an error naming the branch and the file.
      const told = (await toolResults(id)).find((r) => r.is_error)!;
      expect(told.content).toMatch(/^changed three[\s\S]*NOT MERGED/);
      expect(told.content).toContain(`in shared.txt`);
      expect(told.content).toContain(`kept on branch ${loser.branch}`);
      const events = await swarmEvents(h.client, id);
      expect(
        events
          .filter((e) => e.type === 'landed')
          .map((e) => 'landed' in e && e.landed)
          .sort(),
      ).toEqual(['conflict', 'merged']);
      ended.push(`swarm-${id}`, `agent-${id}.1`, `agent-${id}.1.1`, `agent-${id}.1.2`);
    },
  );

  test.concurrent(
    'a delegation the swarm refuses is answered, to the supervisor that asked; a duplicate of a running worker is not',
    async () => {
      const repo = makeRepo({ 'shared.txt': FILE });
      // The worker waits at a gate until the swarm has refused both delegations: it runs meanwhile.
      const refusedBoth = `refused-both-${randomUUID()}`;
      const held = h.script([
        { toolCalls: [{ name: 'list_files', input: {} }], gate: refusedBoth },
        { text: 'looked' },
      ]);
      const supervisor = h.script([
        { toolCalls: [{ name: 'delegate', input: { task: held } }] },
        { text: 'done' },
      ]);
      const id = await h.swarm({ strategy: 'supervisor', task: supervisor }, { cwd: repo });
      await until(
        () => swarmStatus(h.client, id),
        (s) => s.agents.some((a) => a.id === `${id}.1.1`),
        'the worker running',
      );
      const swarm = h.client.workflow.getHandle(swarmWorkflowId(id));
      for (const n of [11, 1]) await swarm.signal('delegate', { id: `${id}.1.${n}`, name: 'x', task: 't' });
      const refusals = async () =>
        (await swarmEvents(h.client, id)).flatMap((e) => (e.type === 'ignored' ? [e.reason] : []));
      await until(refusals, (r) => r.length >= 2, 'both delegations refused');
      h.model.openGate(refusedBoth);
      const out = await waitForSwarm(h.client, id);
      expect(out).toMatchObject({ status: 'completed', result: 'done' });
      const refused = await refusals();
      expect(refused).toEqual([
        expect.stringMatching(/\.1\.11 is not an id of a worker .*maxWorkers/),
        `worker ${id}.1.1 was delegated already`,
      ]);
      // The refusal reached the supervisor, which asked for no such worker; its worker's own answer stood.
      const dropped = (await agentEvents(h.client, `${id}.1`)).flatMap((e) =>
        e.type === 'ignored' ? [e] : [],
      );
      expect(dropped).toEqual([
        expect.objectContaining({ signal: 'delegated', reason: `no worker ${id}.1.11 is waited for` }),
      ]);
      const [answer] = await toolResults(id);
      expect(answer.is_error).toBeFalsy();
      expect(answer.content).toMatch(/^looked/);
      ended.push(`swarm-${id}`, `agent-${id}.1`, `agent-${id}.1.1`);
    },
  );

  test.concurrent(
    'isolation "none": the workers share the supervisor\'s cwd, the user\'s tree, as before',
    async () => {
      const repo = makeRepo({ 'shared.txt': FILE });
      const supervisor = h.script([
        { toolCalls: [{ name: 'delegate', input: { task: writes('a.txt', 'from a') } }] },
        { text: 'done' },
      ]);
      const id = await h.swarm(
        { strategy: 'supervisor', task: supervisor },
        { cwd: repo, isolation: 'none' },
      );
      const out = await waitForSwarm(h.client, id);
      expect(out.status).toBe('completed');
      expect(out.worktrees).toBeUndefined();
      // The worker is the supervisor's own child, and wrote in the user's tree.
      expect(out.agents.map((a) => a.role)).toEqual(['supervisor']);
      expect(readFileSync(path.join(repo, 'a.txt'), 'utf8')).toBe('from a');
      expect(gitIn(repo, 'branch', '--list', 'orchestra/*').trim()).toBe('');
    },
  );

  test('the histories of isolated supervisors and their workers replay cleanly', async () => {
    expect(ended.length).toBeGreaterThanOrEqual(8);
    const query = ended.map((id) => `WorkflowId="${id}"`).join(' OR ');
    expect(await replayClosedRuns(h.client, query, ended.length)).toEqual([]);
  });
});
