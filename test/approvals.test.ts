/**
 * Autonomy and approvals on a real server: what each level asks about, overrides and bash
 * patterns, a person allowing or denying, timeouts, and approvals pending deep in a swarm.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import type { PendingApproval } from '../src/domain';
import { agentEvents, agentStatus, agentTranscript, waitForAgent } from '../src/temporal/agents';
import { answerApproval, findApproval, listApprovals } from '../src/temporal/approvals';
import { waitForSwarm } from '../src/temporal/swarms';
import { until } from './helpers/poll';
import { harnessEnv, runCliHere } from './helpers/cli';
import { useHarness, waitForStatus } from './helpers/harness';

const h = useHarness();
// Tests that only touch agents of their own run at the same time (test.concurrent); a plain
// `test` says why it runs alone.
const exec = promisify(execFile);

/** The agent's pending approvals once it waits for one. */
async function pendingOf(id: string, count = 1): Promise<PendingApproval[]> {
  const view = await waitForStatus(h.client, id, (v) => v.pendingApprovals.length >= count);
  expect(view.status).toBe('waiting_for_input');
  return view.pendingApprovals;
}

/** The tool results the model saw, in order. */
async function toolResults(id: string): Promise<Array<{ content: string; is_error?: boolean }>> {
  return (await agentTranscript(h.client, id)).flatMap((m) =>
    m.content
      .filter((b) => b.type === 'tool_result')
      .map((b) => b as { content: string; is_error?: boolean }),
  );
}

test.concurrent(
  'a supervised agent asks before every tool call, and carries on once a person allows it',
  async () => {
    const cwd = await h.tempDir();
    await writeFile(path.join(cwd, 'notes.txt'), 'the notes');
    const task = h.script([
      { toolCalls: [{ name: 'read_file', input: { path: 'notes.txt' } }] },
      { text: 'read them' },
    ]);
    const id = await h.spawn({ task, cwd, policy: { autonomy: 'supervised' } });

    const [pending] = await pendingOf(id);
    expect(pending).toMatchObject({
      kind: 'tool',
      tool: 'read_file',
      input: { path: 'notes.txt' },
      agentId: id,
      reason: 'supervised agents ask before every tool call',
      lineage: [],
    });
    expect(h.requestsFor(task)).toHaveLength(1); // nothing more happens while it waits

    await answerApproval(h.client, pending, { decision: 'allow' });
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'read them' });
    expect((await toolResults(id))[0].content).toContain('the notes');
    const events = await agentEvents(h.client, id);
    expect(
      events
        .filter((e) => e.type.startsWith('approval_') || e.type === 'status')
        .map((e) => (e.type === 'status' ? `status:${e.to}` : e.type)),
    ).toEqual([
      'status:running',
      'approval_requested',
      'status:waiting_for_input',
      'approval_answered',
      'status:running',
      'status:completed',
    ]);
  },
);

test.concurrent(
  'semi-autonomous: read-only tools run freely; a denied write goes back to the model as an error with the note',
  async () => {
    const task = h.script([
      {
        toolCalls: [
          { name: 'list_files', input: {} },
          { name: 'write_file', input: { path: 'out.txt', content: 'x' } },
        ],
      },
      { text: 'understood' },
    ]);
    const id = await h.spawn({ task, policy: { autonomy: 'semi' } });
    const [pending] = await pendingOf(id);
    expect(pending).toMatchObject({
      tool: 'write_file',
      reason: 'semi-autonomous agents ask before write_file',
    });

    await answerApproval(h.client, pending, { decision: 'deny', note: 'not in this directory' });
    const result = await waitForAgent(h.client, id);
    expect(result.status).toBe('completed');
    const [listed, written] = await toolResults(id);
    expect(listed.is_error).toBeUndefined();
    expect(written).toEqual({
      type: 'tool_result',
      tool_use_id: pending.callId,
      is_error: true,
      content: 'denied: write_file was not run (a person denied it). Their note: not in this directory',
    });
    expect(existsSync(path.join((await agentStatus(h.client, id)).cwd, 'out.txt'))).toBe(false);
  },
);

test.concurrent(
  'full autonomy with overrides: a bash deny pattern refuses without asking, a tool set to ask asks, a denied tool never runs',
  async () => {
    const task = h.script([
      { toolCalls: [{ name: 'bash', input: { command: 'rm -rf / --no-preserve-root' } }] },
      { toolCalls: [{ name: 'grep', input: { pattern: 'x' } }] },
      { toolCalls: [{ name: 'bash', input: { command: 'echo ran > ran.txt' } }] },
      { toolCalls: [{ name: 'bash', input: { command: 'npm test' } }] },
      { text: 'done' },
    ]);
    const id = await h.spawn({
      task,
      policy: { autonomy: 'full', tools: { bash: 'ask', grep: 'deny' }, bashAllow: ['^npm test$'] },
    });
    const [pending] = await pendingOf(id);
    // The deny pattern and the denied tool were settled without a person; only the plain bash call asks.
    expect(pending).toMatchObject({
      tool: 'bash',
      input: { command: 'echo ran > ran.txt' },
      reason: 'bash is set to "ask" for this agent',
    });
    await answerApproval(h.client, pending, { decision: 'allow' });
    await waitForAgent(h.client, id);
    const results = await toolResults(id);
    expect(results[0]).toMatchObject({
      is_error: true,
      content: expect.stringMatching(
        /^denied by policy: bash was not run \(the command matches the deny pattern/,
      ),
    });
    expect(results[1]).toMatchObject({
      is_error: true,
      content: 'denied by policy: grep was not run (grep is denied for this agent)',
    });
    expect(results[2].is_error).toBeUndefined();
    // npm test matched the allow pattern: it ran without asking (and failed, there is no package.json).
    expect((await agentEvents(h.client, id)).filter((e) => e.type === 'approval_requested')).toHaveLength(1);
    expect(await readFile(path.join((await agentStatus(h.client, id)).cwd, 'ran.txt'), 'utf8')).toBe('ran\n');
    expect(
      (await agentEvents(h.client, id))
        .filter((e) => e.type === 'denied')
        .map((e) => e.type === 'denied' && e.tool),
    ).toEqual(['bash', 'grep']);
  },
);

// Alone: it must see the approval within its 1 s timeout.
test('an approval nobody answers times out to the configured decision', async () => {
  const task = h.script([{ toolCalls: [{ name: 'bash', input: { command: 'echo hi' } }] }, { text: 'ok' }]);
  const id = await h.spawn({ task, policy: { autonomy: 'semi', approvalTimeoutSeconds: 1 } });
  const [pending] = await pendingOf(id);
  expect(pending).toMatchObject({ timeoutDecision: 'deny', expiresAt: expect.any(String) });
  await waitForAgent(h.client, id);
  expect((await toolResults(id))[0]).toMatchObject({
    is_error: true,
    content: 'denied: bash was not run (the approval timed out and the default is deny)',
  });
  const answered = (await agentEvents(h.client, id)).find((e) => e.type === 'approval_answered');
  expect(answered).toMatchObject({ decision: 'deny', by: 'timeout' });

  const allowTask = h.script([
    { toolCalls: [{ name: 'bash', input: { command: 'echo hi' } }] },
    { text: 'ok' },
  ]);
  const allowing = await h.spawn({
    task: allowTask,
    policy: { autonomy: 'semi', approvalTimeoutSeconds: 1, timeoutDecision: 'allow' },
  });
  await waitForAgent(h.client, allowing);
  expect((await toolResults(allowing))[0]).toMatchObject({ content: 'exit code 0\nhi' });
});

test.concurrent(
  'a bad approve payload, or one for no pending call, is recorded as ignored and changes nothing',
  async () => {
    const task = h.script([{ toolCalls: [{ name: 'bash', input: { command: 'echo hi' } }] }, { text: 'ok' }]);
    const id = await h.spawn({ task, policy: { autonomy: 'supervised' } });
    const [pending] = await pendingOf(id);
    const handle = h.client.workflow.getHandle(`agent-${id}`);
    await handle.signal('approve', { callId: pending.callId, decision: 'maybe' });
    await handle.signal('approve', { callId: 'toolu_nothing', decision: 'allow' });
    const ignored = await until(
      async () => (await agentEvents(h.client, id)).filter((e) => e.type === 'ignored'),
      (es) => es.length === 2,
      'two ignored approvals',
    );
    expect(ignored.map((e) => e.type === 'ignored' && e.reason)).toEqual([
      expect.stringContaining('bad payload'),
      `no pending approval "toolu_nothing" (pending: ${pending.callId})`,
    ]);
    expect((await agentStatus(h.client, id)).status).toBe('waiting_for_input');
    await handle.signal('cancel', { reason: 'enough' });
    expect((await waitForAgent(h.client, id)).status).toBe('cancelled');
    expect((await agentStatus(h.client, id)).pendingApprovals).toEqual([]);
  },
);

test.concurrent(
  'an approval three levels deep is listed from its swarm and answered with `orchestra approve`, and with `temporal workflow signal`',
  async () => {
    const deepest = h.script([
      { toolCalls: [{ name: 'bash', input: { command: 'echo deep > deep.txt' } }] },
      { toolCalls: [{ name: 'bash', input: { command: 'echo deeper >> deep.txt' } }] },
      { text: 'deep done' },
    ]);
    const middle = h.script([
      { toolCalls: [{ name: 'task', input: { description: 'deepest', prompt: deepest } }] },
      { text: 'middle done' },
    ]);
    const top = h.script([
      { toolCalls: [{ name: 'task', input: { description: 'middle', prompt: middle } }] },
      { text: 'top done' },
    ]);
    const swarmId = await h.swarm(
      { strategy: 'parallel', task: top, agents: [{ name: 'lead' }] },
      { policy: { autonomy: 'full', tools: { bash: 'ask' } } },
    );
    const member = `${swarmId}.1`;
    const env = harnessEnv(h);

    const listed = await until(
      () => runCliHere(['approvals', 'list', '--swarm', swarmId, '--json'], env),
      (r) => r.code === 0 && JSON.parse(r.stdout).length === 1,
      'the deep approval in the swarm listing',
    );
    const [first] = JSON.parse(listed.stdout) as PendingApproval[];
    expect(first).toMatchObject({
      agentId: `${member}.1.1`,
      lineage: [member, `${member}.1`],
      swarmId,
      tool: 'bash',
      input: { command: 'echo deep > deep.txt' },
    });
    const answer = await runCliHere(['approve', first.callId], env);
    expect(answer).toMatchObject({
      code: 0,
      stdout: `allowed bash (${first.callId}) for agent ${member}.1.1\n`,
    });

    // The second call asks again; answer it with the Temporal CLI alone.
    const second = await until(
      () => listApprovals(h.client, { swarmId }),
      (items) => items.length === 1 && items[0].callId !== first.callId,
      'the second deep approval',
    );
    await exec(process.env.ORCHESTRA_TEST_TEMPORAL_CLI!, [
      'workflow',
      'signal',
      '--address',
      h.address,
      '--workflow-id',
      `agent-${member}.1.1`,
      '--name',
      'approve',
      '--input',
      JSON.stringify({ callId: second[0].callId, decision: 'allow' }),
    ]);
    const outcome = await waitForSwarm(h.client, swarmId);
    expect(outcome.status).toBe('completed');
    // The CLI's answer names the person at the terminal; the bare signal names no one.
    const answers = (await agentEvents(h.client, `${member}.1.1`)).filter(
      (e) => e.type === 'approval_answered',
    );
    expect(answers.map((e) => ('user' in e ? e.user : undefined))).toEqual([userInfo().username, undefined]);
    expect(await readFile(path.join((await agentStatus(h.client, member)).cwd, 'deep.txt'), 'utf8')).toBe(
      'deep\ndeeper\n',
    );
    // Answered approvals are gone; an unknown one is a clear error with its own exit code.
    expect(await runCliHere(['approve', first.callId], env)).toMatchObject({
      code: 3,
      stderr: `error: no pending approval "${first.callId}"\n`,
    });
    await expect(findApproval(h.client, 'toolu_none')).rejects.toThrow('no pending approval "toolu_none"');
  },
);
