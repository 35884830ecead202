/**
 * The two timeouts: maxWallClockSeconds ends an agent `failed` wherever it is (600 s by default
 * for one another agent or a swarm started); idleTimeoutSeconds cancels an agent that waited that
 * long for a message, a message or a resume starting it afresh.
 */
import type { AgentEvent } from '../src/domain';
import {
  agentEvents,
  agentStatus,
  agentTranscript,
  controlAgent,
  waitForAgent,
} from '../src/temporal/agents';
import { waitForSwarm } from '../src/temporal/swarms';
import { TEST_MODEL, useHarness, waitForStatus } from './helpers/harness';
import { until } from './helpers/poll';
import { replayClosedRuns } from './helpers/replay';

const h = useHarness({
  file: {
    agents: {
      quick: {
        description: 'A subagent with two seconds to live',
        systemPrompt: 'Be quick.',
        model: TEST_MODEL,
        limits: { maxWallClockSeconds: 2 },
      },
    },
  },
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const slowReply = (text = 'too late') => h.script([{ text, delayMs: 30_000 }]);

/**
 * The model call of `task` was cancelled: the scripted server saw its client go away. (The agent
 * goes on at once; the activity hears of the cancel at its next heartbeat.)
 */
const callAborted = (task: string) =>
  until(
    async () => h.requestsFor(task).map((r) => r.aborted),
    (aborted) => aborted.length === 1 && aborted[0],
    'the model call was aborted',
    10_000,
  );

/** The agent's last status change. */
async function lastStatusEvent(id: string) {
  const events = await agentEvents(h.client, id);
  return events.filter((e): e is AgentEvent & { type: 'status' } => e.type === 'status').at(-1);
}

/** The timers an agent's first run started, in seconds. */
async function timerSeconds(id: string): Promise<number[]> {
  const events = (await h.client.workflow.getHandle(`agent-${id}`).fetchHistory()).events ?? [];
  return events.flatMap((e) => {
    const timeout = e.timerStartedEventAttributes?.startToFireTimeout;
    return timeout ? [Number(timeout.seconds ?? 0)] : [];
  });
}

// Each test waits on timers of its own agents (their own scripts): they all run at the same time,
// in one block (jest runs one describe block's concurrent tests together, and blocks one after
// another), five at a time in the order written: the idle tests, two of the longest, first. The
// replay runs after them all.

// idleTimeoutSeconds
test.concurrent(
  'an interactive agent that waits past its idle timeout is cancelled with the reason',
  async () => {
    const id = await h.spawn({
      task: h.script([{ text: 'Hello! What next?' }]),
      type: 'interactive',
      limits: { idleTimeoutSeconds: 2 },
    });
    await waitForStatus(h.client, id, (v) => v.status === 'waiting_for_input');
    const waiting = Date.now();
    const result = await waitForAgent(h.client, id);
    expect(result).toMatchObject({ status: 'cancelled', result: 'Hello! What next?' });
    expect(Date.now() - waiting).toBeGreaterThanOrEqual(1500);
    expect(await lastStatusEvent(id)).toMatchObject({
      from: 'waiting_for_input',
      to: 'cancelled',
      reason: 'timeout: idle for 2 s (idleTimeoutSeconds)',
    });
  },
);

test.concurrent('a message before the idle timeout starts it afresh', async () => {
  const id = await h.spawn({
    task: h.script([{ text: 'first' }, { text: 'second' }]),
    type: 'interactive',
    limits: { idleTimeoutSeconds: 3 },
  });
  await waitForStatus(h.client, id, (v) => v.status === 'waiting_for_input');
  await sleep(2000);
  await controlAgent(h.client, id, 'message', { content: 'and then?' });
  await waitForStatus(h.client, id, (v) => v.status === 'waiting_for_input' && v.iterations === 2);
  const waiting = Date.now();
  // Past the first wait's three seconds: alive, since the message reset the clock.
  await sleep(1500);
  expect((await agentStatus(h.client, id)).status).toBe('waiting_for_input');
  expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'cancelled', result: 'second' });
  expect(Date.now() - waiting).toBeGreaterThanOrEqual(2500);
  expect((await lastStatusEvent(id))?.reason).toBe('timeout: idle for 3 s (idleTimeoutSeconds)');
});

test.concurrent('time paused does not count as idle; a resume starts the clock afresh', async () => {
  const id = await h.spawn({ task: '', type: 'interactive', limits: { idleTimeoutSeconds: 2 } });
  await waitForStatus(h.client, id, (v) => v.status === 'idle');
  await controlAgent(h.client, id, 'pause', { reason: 'later' });
  await sleep(3000);
  expect((await agentStatus(h.client, id)).status).toBe('paused');
  await controlAgent(h.client, id, 'resume');
  const resumed = Date.now();
  const result = await waitForAgent(h.client, id);
  expect(result.status).toBe('cancelled');
  expect(Date.now() - resumed).toBeGreaterThanOrEqual(1500);
  expect(await lastStatusEvent(id)).toMatchObject({ from: 'idle', to: 'cancelled' });
});

// maxWallClockSeconds
test.concurrent(
  "a subagent past its wall clock fails with the reason, and its parent carries on with that as the task tool's result",
  async () => {
    const childTask = slowReply();
    const parent = h.script([
      { toolCalls: [{ name: 'task', input: { description: 'slow', prompt: childTask, agent: 'quick' } }] },
      { text: 'parent carried on' },
    ]);
    const started = Date.now();
    const id = await h.spawn({ task: parent });
    expect(await waitForAgent(h.client, id)).toMatchObject({
      status: 'completed',
      result: 'parent carried on',
    });
    // Two seconds, not the thirty the model call would have taken.
    expect(Date.now() - started).toBeLessThan(15_000);
    const child = await waitForAgent(h.client, `${id}.1`);
    expect(child).toMatchObject({ status: 'failed', error: 'timeout: maxWallClockSeconds (2) reached' });
    const results = (await agentTranscript(h.client, id))
      .flatMap((m) => m.content)
      .filter((b) => b.type === 'tool_result');
    expect(results).toEqual([
      expect.objectContaining({
        is_error: true,
        content: `subagent ${id}.1 failed: timeout: maxWallClockSeconds (2) reached`,
      }),
    ]);
    // The model call in flight was cancelled, not left to run.
    await callAborted(childTask);
  },
);

test.concurrent('by default a subagent has 600 s and the agent a person started has none', async () => {
  const parent = h.script([
    {
      toolCalls: [
        { name: 'task', input: { description: 'queued', prompt: h.script([{ text: 'child done' }]) } },
      ],
    },
    { text: 'parent done' },
  ]);
  // Model calls through the queue (the child has its parent's tuning): the child's first workflow
  // task ends with its timer started, not with its whole run in a local call.
  const id = await h.spawn({ task: parent, tuning: { localModelCallMs: 0 } });
  expect((await waitForAgent(h.client, id)).status).toBe('completed');
  expect(await timerSeconds(id)).toEqual([]);
  const [child] = await timerSeconds(`${id}.1`);
  expect(child).toBeGreaterThan(590);
  expect(child).toBeLessThanOrEqual(600);
});

test.concurrent(
  'a swarm agent past its wall clock fails with the reason, and the swarm says so',
  async () => {
    const id = await h.swarm({
      strategy: 'parallel',
      task: 'unused',
      merge: 'all',
      agents: [
        { name: 'slow', task: slowReply(), limits: { maxWallClockSeconds: 2 } },
        { name: 'fast', task: h.script([{ text: 'fast done' }]) },
      ],
    });
    const out = await waitForSwarm(h.client, id);
    expect(out.agents.map((a) => `${a.name} ${a.status}`)).toEqual(['slow failed', 'fast completed']);
    expect(out.agents[0].error).toBe('timeout: maxWallClockSeconds (2) reached');
  },
);

test.concurrent(
  'a top-level agent with maxWallClockSeconds fails in the middle of a model call',
  async () => {
    const task = slowReply();
    const started = Date.now();
    const id = await h.spawn({ task, limits: { maxWallClockSeconds: 2 } });
    const result = await waitForAgent(h.client, id);
    expect(result).toMatchObject({ status: 'failed', error: 'timeout: maxWallClockSeconds (2) reached' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(await lastStatusEvent(id)).toMatchObject({
      from: 'running',
      to: 'failed',
      reason: 'timeout: maxWallClockSeconds (2) reached',
    });
    await callAborted(task);
  },
);

test.concurrent('the wall clock counts from the first run of an agent that continues as new', async () => {
  const id = await h.spawn({
    task: h.busyTask(200),
    limits: { maxWallClockSeconds: 4, maxIterations: 1000 },
    tuning: { continueAsNewAfterEvents: 20 },
  });
  const started = Date.now();
  const result = await waitForAgent(h.client, id);
  expect(result).toMatchObject({ status: 'failed', error: 'timeout: maxWallClockSeconds (4) reached' });
  expect(Date.now() - started).toBeLessThan(15_000);
  const events = await agentEvents(h.client, id);
  expect(events.filter((e) => e.type === 'continued_as_new').length).toBeGreaterThan(0);
});

test.concurrent('the wall clock runs on while the agent is paused', async () => {
  const id = await h.spawn({ task: '', type: 'interactive', limits: { maxWallClockSeconds: 3 } });
  await waitForStatus(h.client, id, (v) => v.status === 'idle');
  await controlAgent(h.client, id, 'pause', { reason: 'a look' });
  const result = await waitForAgent(h.client, id);
  expect(result).toMatchObject({ status: 'failed', error: 'timeout: maxWallClockSeconds (3) reached' });
  expect(await lastStatusEvent(id)).toMatchObject({ from: 'paused', to: 'failed' });
});

test.concurrent('the wall clock runs on while the agent waits for an approval', async () => {
  const task = h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: 'never' }]);
  const id = await h.spawn({
    task,
    policy: { autonomy: 'supervised' },
    limits: { maxWallClockSeconds: 3 },
  });
  await waitForStatus(h.client, id, (v) => v.pendingApprovals.length === 1);
  const result = await waitForAgent(h.client, id);
  expect(result).toMatchObject({ status: 'failed', error: 'timeout: maxWallClockSeconds (3) reached' });
  const view = await agentStatus(h.client, id);
  expect(view.pendingApprovals).toEqual([]);
  // Straight from waiting to failed: the wait cut short is not an answer.
  expect(await lastStatusEvent(id)).toMatchObject({ from: 'waiting_for_input', to: 'failed' });
});

describe('replay', () => {
  test('the histories of agents that timed out replay cleanly', async () => {
    // Every suite's agent has ended by now: the wall clocks that fired, the idle clocks, the resets.
    expect(await replayClosedRuns(h.client, `TaskQueue="${h.taskQueue}"`, 10)).toEqual([]);
  });
});
