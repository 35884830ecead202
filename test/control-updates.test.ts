/**
 * Control through Updates: the workflow itself takes or refuses each request and the caller
 * hears which; with no worker to answer, the request is queued as a signal and says so.
 */
import { agentEvents, agentHandle, controlAgent, waitForAgent } from '../src/temporal/agents';
import { answerApproval, listApprovals } from '../src/temporal/approvals';
import { BadRequestError, InvalidTransitionError } from '../src/temporal/errors';
import { controlSwarm, swarmStatus } from '../src/temporal/swarms';
import { controlSession, createSession, sessionStatus } from '../src/temporal/sessions';
import { cancelSignal, messageSignal } from '../workflows/protocol';
import { startHarness, useHarness, waitForStatus } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();
// Tests that only touch agents of their own run at the same time (test.concurrent); a plain
// `test` says why it runs alone.

test.concurrent(
  'pause, resume and cancel are taken by the agent, which says from which status to which',
  async () => {
    // Model calls through the queue: a busy agent's local calls hold its workflow task, and each
    // request below would wait for it.
    const id = await h.spawn({ task: h.busyTask(200), tuning: { localModelCallMs: 0 } });
    await waitForStatus(h.client, id, (v) => v.status === 'running');
    expect(await controlAgent(h.client, id, 'pause', { reason: 'look' })).toEqual({
      status: 'running',
      after: 'paused',
    });
    // Refused by the agent itself, at the moment it applies: nothing recorded, the caller told why.
    await expect(controlAgent(h.client, id, 'pause')).rejects.toThrow(
      new InvalidTransitionError('cannot pause: the agent is paused (pause is accepted from running, idle)'),
    );
    await expect(controlAgent(h.client, id, 'pause', { reason: 42 })).rejects.toThrow(BadRequestError);
    expect((await agentEvents(h.client, id)).filter((e) => e.type === 'ignored')).toEqual([]);
    expect(await controlAgent(h.client, id, 'resume')).toEqual({ status: 'paused', after: 'running' });
    await controlAgent(h.client, id, 'cancel', { reason: 'done' });
    expect((await waitForAgent(h.client, id)).status).toBe('cancelled');
    await expect(controlAgent(h.client, id, 'resume')).rejects.toThrow(
      /cannot resume: the agent is cancelled, and nothing leaves cancelled/,
    );
  },
);

// Alone: it must see the approval within its 1 s timeout.
test('an answer to an approval that timed out a moment before is refused, not accepted', async () => {
  const task = h.script([{ toolCalls: [{ name: 'bash', input: { command: 'echo hi' } }] }, { text: 'ok' }], {
    task: 'asks',
  });
  const id = await h.spawn({
    task,
    type: 'interactive',
    policy: { autonomy: 'semi', approvalTimeoutSeconds: 1 },
  });
  const pending = await until(
    () => listApprovals(h.client, { agentId: id }),
    (found) => found.length > 0,
    'the approval listed as pending',
  );
  expect(pending).toHaveLength(1);
  // The person was a moment too late: the agent denied it on timeout and went on.
  await waitForStatus(h.client, id, (v) => v.pendingApprovals.length === 0);
  await expect(answerApproval(h.client, pending[0], { decision: 'allow' })).rejects.toThrow(
    new InvalidTransitionError(`no pending approval "${pending[0].callId}" (pending: none)`),
  );
  await controlAgent(h.client, id, 'cancel');
});

test.concurrent(
  'with no worker to answer, a request is queued as a signal, says so, and applies when a worker comes',
  async () => {
    // A harness (queue, worker) of its own: it stops its workers while the others run theirs.
    const own = await startHarness();
    try {
      const id = await own.spawn({ task: '', type: 'interactive' });
      await waitForStatus(own.client, id, (v) => v.status === 'idle');
      await own.stopWorkers();
      const started = Date.now();
      const content = own.script([{ text: 'heard you' }], { task: 'hello while down' });
      const sent = await controlAgent(own.client, id, 'message', { content }).finally(() =>
        own.startWorker(),
      );
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(sent).toEqual({ status: 'idle', queued: true });
      const view = await waitForStatus(own.client, id, (v) => v.iterations >= 1, 30_000);
      expect(view).toMatchObject({ status: 'waiting_for_input', result: 'heard you' });
      // The first attempt (an Update) and the signal are one request: the agent reads it once.
      const said = (await agentEvents(own.client, id)).filter(
        (e) => e.type === 'message' && e.text === content,
      );
      expect(said).toHaveLength(1);
      await controlAgent(own.client, id, 'cancel');
    } finally {
      await own.close();
    }
  },
);

test.concurrent('a message sent twice with one request id is read once', async () => {
  const id = await h.spawn({ task: '', type: 'interactive' });
  await waitForStatus(h.client, id, (v) => v.status === 'idle');
  const handle = agentHandle(h.client, id);
  // One scripted reply: a second reading would ask the model again and fail the agent.
  const content = h.script([{ text: 'once' }], { task: 'only once' });
  await handle.signal(messageSignal, { content, requestId: 'r-1' });
  await handle.signal(messageSignal, { content, requestId: 'r-1' });
  const view = await waitForStatus(h.client, id, (v) => v.status === 'waiting_for_input');
  expect(view).toMatchObject({ iterations: 1, result: 'once' });
  const said = (await agentEvents(h.client, id)).filter((e) => e.type === 'message' && e.text === content);
  expect(said).toHaveLength(1);
  await controlAgent(h.client, id, 'cancel');
});

test.concurrent('swarms and sessions take pause, resume and cancel as Updates too', async () => {
  const swarm = await h.swarm({
    strategy: 'parallel',
    task: h.busyTask(200),
    merge: 'all',
    agents: [{}, {}],
  });
  await until(
    () => swarmStatus(h.client, swarm),
    (s) => s.agents.length === 2,
    'the swarm running its agents',
  );
  expect(await controlSwarm(h.client, swarm, 'pause')).toEqual({ status: 'running', after: 'paused' });
  await expect(controlSwarm(h.client, swarm, 'pause')).rejects.toThrow(/cannot pause: the swarm is paused/);
  expect(await controlSwarm(h.client, swarm, 'cancel')).toMatchObject({ status: 'paused' });
  await until(
    () => swarmStatus(h.client, swarm),
    (s) => s.status === 'cancelled',
    'the paused swarm cancelled',
  );
  const closed = (workflowId: string) =>
    until(
      async () => (await h.client.workflow.getHandle(workflowId).describe()).status.name,
      (name) => name !== 'RUNNING',
      `${workflowId} closed`,
    );
  expect(await closed(`swarm-${swarm}`)).toBe('CANCELLED');

  const session = await createSession(h.client, h.taskQueue, { cwd: await h.tempDir() });
  expect(await controlSession(h.client, session.id, 'resume').catch((e: Error) => e.message)).toMatch(
    /cannot resume: the session is running/,
  );
  expect(await controlSession(h.client, session.id, 'pause')).toEqual({ status: 'running', after: 'paused' });
  expect((await sessionStatus(h.client, session.id)).status).toBe('paused');
  await controlSession(h.client, session.id, 'cancel');
  expect(await closed(`session-${session.id}`)).toBe('CANCELLED');
});

test.concurrent(
  'an agent cancelled through Orchestra ends as Canceled in Temporal, with its reason and its result',
  async () => {
    // Through the queue, as above.
    const id = await h.spawn({ task: h.busyTask(200), tuning: { localModelCallMs: 0 } });
    await waitForStatus(h.client, id, (v) => v.status === 'running');
    await controlAgent(h.client, id, 'cancel', { reason: 'enough' });
    const result = await waitForAgent(h.client, id);
    expect(result).toMatchObject({ status: 'cancelled' });
    const description = await agentHandle(h.client, id).describe();
    expect(description.status.name).toBe('CANCELLED');
    const status = (await agentEvents(h.client, id)).filter(
      (e) => e.type === 'status' && e.to === 'cancelled',
    );
    expect(status).toEqual([expect.objectContaining({ reason: 'enough' })]);
    // A bare signal (the Web UI, `temporal workflow signal`) still ends the run as before.
    const other = await h.spawn({ task: h.busyTask(200), tuning: { localModelCallMs: 0 } });
    await waitForStatus(h.client, other, (v) => v.status === 'running');
    await agentHandle(h.client, other).signal(cancelSignal, { reason: 'by signal' });
    expect((await waitForAgent(h.client, other)).status).toBe('cancelled');
    expect((await agentHandle(h.client, other).describe()).status.name).toBe('COMPLETED');
  },
);
