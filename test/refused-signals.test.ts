/**
 * A signal a swarm or a session refuses (a bad payload, a request its status does not allow) is
 * recorded where a person looks, as an agent records it: in the swarm's events, in the
 * session's status. Neither fails nor sticks. Their own traffic (usage, broadcast, join,
 * finding) is refused the same way, a signal name none of them knows is recorded too, and a bad
 * charge is refused as a bad control Update is.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { ControlRejection, sessionWorkflowId, swarmWorkflowId } from '../src/domain';
import { createSession, sessionStatus } from '../src/temporal/sessions';
import { swarmEvents, swarmStatus } from '../src/temporal/swarms';
import { chargeUpdate } from '../workflows/protocol';
import { until } from './helpers/poll';
import { useHarness } from './helpers/harness';

const h = useHarness();

test('a swarm records the signals it refuses as ignored events, and carries on', async () => {
  const id = await h.swarm({ strategy: 'parallel', task: 'unused', agents: [{ task: h.busyTask(200) }] });
  const handle = h.client.workflow.getHandle(swarmWorkflowId(id));
  // Its handlers are set: signals that reach a swarm before its first workflow task are
  // delivered by handler (the control ones, then usage), not in the order they were sent.
  await until(
    () => swarmStatus(h.client, id),
    (s) => s.status === 'running',
    'the swarm running',
  );
  await handle.signal('pause', { reason: 42 });
  await handle.signal('usage', 'garbage');
  await handle.signal('broadcast', { from: 'a1' });
  await handle.signal('resume', {}); // it is running: nothing to resume
  await handle.signal('pasue', {});
  const ignored = await until(
    async () => (await swarmEvents(h.client, id)).filter((e) => e.type === 'ignored'),
    (events) => events.length === 5,
    'five ignored events',
  );
  expect(ignored.map((e) => (e.type === 'ignored' ? e.signal : ''))).toEqual([
    'pause',
    'usage',
    'broadcast',
    'resume',
    'pasue',
  ]);
  expect(ignored[4]).toMatchObject({ reason: 'no such signal' });
  expect(ignored[2]).toMatchObject({ reason: expect.stringMatching(/^bad payload: .*content/) });
  expect((await swarmStatus(h.client, id)).status).toBe('running');
  // A query can answer: arguments it cannot read fail it with the reason, as an agent's `events` does.
  await expect(handle.query('events', { limit: 0 })).rejects.toThrow(/bad events query: .*limit/);
  await handle.terminate('test done');
});

test('a session keeps the signals it refused in its status, and carries on', async () => {
  const { id } = await createSession(h.client, h.taskQueue, { cwd: await h.tempDir() });
  const handle = h.client.workflow.getHandle(sessionWorkflowId(id));
  await sessionStatus(h.client, id); // its handlers are in, as above
  await handle.signal('join', { kind: 'robot', id: 'x' });
  await handle.signal('finding', {});
  await handle.signal('resume', {});
  await handle.signal('message', { content: 'a session takes no messages' });
  const view = await until(
    () => sessionStatus(h.client, id),
    (v) => (v.ignored?.length ?? 0) === 4,
    'four refused signals in the session status',
  );
  expect(view.ignored!.map((i) => i.signal)).toEqual(['join', 'finding', 'resume', 'message']);
  expect(view.ignored![3].reason).toBe('no such signal');
  expect(view.ignored![0].reason).toMatch(/^bad payload: .*kind/);
  expect(view.status).toBe('running');
  await handle.terminate('test done');
});

test('a bad charge is refused as a bad control request is: a typed rejection, nothing charged', async () => {
  const { id } = await createSession(h.client, h.taskQueue, { cwd: await h.tempDir() });
  const handle = h.client.workflow.getHandle(sessionWorkflowId(id));
  const failure = await handle
    .executeUpdate(chargeUpdate, { args: [{ agentId: 'a', callId: 'c1', costUsd: -1 }] })
    .then(
      () => undefined,
      (err: unknown) => (err instanceof WorkflowUpdateFailedError ? err.cause : err),
    );
  expect(failure).toBeInstanceOf(ApplicationFailure);
  expect(failure).toMatchObject({
    type: ControlRejection.badPayload,
    message: expect.stringMatching(/costUsd/),
  });
  expect((await sessionStatus(h.client, id)).costUsd ?? 0).toBe(0);
  await handle.terminate('test done');
});
