/**
 * A signal a swarm or a session refuses (a bad payload, a request its status does not allow) is
 * recorded where a person looks, as an agent records it: in the swarm's events, in the
 * session's status. Neither fails nor sticks.
 */
import { sessionWorkflowId, swarmWorkflowId } from '../src/domain';
import { createSession, sessionStatus } from '../src/temporal/sessions';
import { swarmEvents, swarmStatus } from '../src/temporal/swarms';
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
  await handle.signal('resume', {}); // it is running: nothing to resume
  const ignored = await until(
    async () => (await swarmEvents(h.client, id)).filter((e) => e.type === 'ignored'),
    (events) => events.length === 3,
    'three ignored events',
  );
  expect(ignored.map((e) => (e.type === 'ignored' ? e.signal : ''))).toEqual(['pause', 'usage', 'resume']);
  expect((await swarmStatus(h.client, id)).status).toBe('running');
  await handle.terminate('test done');
});

test('a session keeps the signals it refused in its status, and carries on', async () => {
  const { id } = await createSession(h.client, h.taskQueue, { cwd: await h.tempDir() });
  const handle = h.client.workflow.getHandle(sessionWorkflowId(id));
  await handle.signal('join', { kind: 'robot', id: 'x' });
  await handle.signal('finding', {});
  await handle.signal('resume', {});
  const view = await until(
    () => sessionStatus(h.client, id),
    (v) => (v.ignored?.length ?? 0) === 3,
    'three refused signals in the session status',
  );
  expect(view.ignored!.map((i) => i.signal)).toEqual(['join', 'finding', 'resume']);
  expect(view.ignored![0].reason).toMatch(/kind/);
  expect(view.status).toBe('running');
  await handle.terminate('test done');
});
