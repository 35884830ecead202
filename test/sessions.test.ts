/** Sessions: members, shared findings, roll-up, and control that reaches everything inside. */
import { listAgents, spawnAgent, waitForAgent } from '../src/temporal/agents';
import { InvalidTransitionError, SessionNotFoundError } from '../src/temporal/errors';
import { controlSession, createSession, sessionStatus } from '../src/temporal/sessions';
import { swarmStatus } from '../src/temporal/swarms';
import { useHarness, waitForStatus } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();
const newSession = async (directives?: string) =>
  (await createSession(h.client, h.taskQueue, { cwd: await h.tempDir(), directives })).id;

test('findings reported in a session reach the agents started after them, with the directives', async () => {
  const session = await newSession('Use British spelling.');
  const scout = h.script([
    { toolCalls: [{ name: 'report_finding', input: { text: 'the tests need Python 3.11' } }] },
    { text: 'reported' },
  ]);
  const a = await h.spawn({ task: scout, sessionId: session });
  await waitForAgent(h.client, a);
  const later = h.script([{ text: 'noted' }]);
  const b = await h.spawn({ task: later, sessionId: session });
  await waitForAgent(h.client, b);

  const [request] = h.requestsFor(later);
  expect(request.system).toMatch(/Session directives:\nUse British spelling\./);
  expect(request.system).toMatch(
    new RegExp(`Findings so far in this session:\\n- \\(${a}\\) the tests need Python 3.11`),
  );
  const view = await sessionStatus(h.client, session);
  expect(view.members).toEqual([
    { kind: 'agent', id: a },
    { kind: 'agent', id: b },
  ]);
  expect(view.findings).toEqual([expect.objectContaining({ from: a, text: 'the tests need Python 3.11' })]);
  // The session's totals are the sum of its agents'.
  const [ra, rb] = [await waitForAgent(h.client, a), await waitForAgent(h.client, b)];
  expect(view.totals).toEqual({
    tokens: {
      input: ra.totals.tokens.input + rb.totals.tokens.input,
      output: ra.totals.tokens.output + rb.totals.tokens.output,
    },
    toolCalls: ra.totals.toolCalls + rb.totals.toolCalls,
    iterations: ra.totals.iterations + rb.totals.iterations,
    agents: 2,
    costUsd: 0,
  });
  const listed = await until(
    async () => (await listAgents(h.client, { sessionId: session })).items.map((x) => x.id),
    (ids) => ids.length >= 2,
    "the session's two agents listed",
  );
  expect(listed.sort()).toEqual([a, b].sort());
});

test('pausing a session pauses its agents, swarms and their children; cancelling it cancels them all', async () => {
  const session = await newSession();
  const lone = await h.spawn({ task: h.busyTask(200), sessionId: session });
  const parentTask = h.script([
    { toolCalls: [{ name: 'task', input: { description: 'deep', prompt: h.busyTask(200) } }] },
  ]);
  const swarm = await h.swarm(
    { strategy: 'parallel', task: 'x', agents: [{ task: parentTask }] },
    { sessionId: session },
  );
  const everyone = [lone, `${swarm}.1`, `${swarm}.1.1`];
  for (const id of everyone) await waitForStatus(h.client, id, (v) => v.status === 'running');

  await controlSession(h.client, session, 'pause', { reason: 'standup' });
  for (const id of everyone) await waitForStatus(h.client, id, (v) => v.status === 'paused');
  expect((await swarmStatus(h.client, swarm)).status).toBe('paused');
  await controlSession(h.client, session, 'resume');
  for (const id of everyone) await waitForStatus(h.client, id, (v) => v.status === 'running');

  await controlSession(h.client, session, 'cancel', { reason: 'wrap up' });
  for (const id of everyone) await waitForStatus(h.client, id, (v) => v.status === 'cancelled');
  expect((await sessionStatus(h.client, session)).status).toBe('cancelled');
  await expect(h.spawn({ task: 'late', sessionId: session })).rejects.toThrow(InvalidTransitionError);
});

test('an unknown session is refused at spawn', async () => {
  await expect(
    spawnAgent(h.client, h.defaults, { task: 't', cwd: await h.tempDir(), sessionId: 'no-such-session' }),
  ).rejects.toThrow(SessionNotFoundError);
});
