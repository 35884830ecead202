/** /api/v1/approvals: listed by workspace and by swarm, answered by the owner, hidden from strangers. */
import type { PendingApproval } from '../src/domain';
import { agentEvents, waitForAgent } from '../src/temporal/agents';
import { useApi } from './helpers/api';
import { until } from './helpers/poll';
import { useHarness, waitForStatus } from './helpers/harness';

const h = useHarness();
const api = useApi(h);

test('the owner lists and answers a pending approval over HTTP; members may look, strangers see nothing', async () => {
  const task = h.script([
    { toolCalls: [{ name: 'bash', input: { command: 'echo approved' } }] },
    { text: 'ran it' },
  ]);
  const spawned = await api.call('alice', 'POST', '/agents', {
    task,
    cwd: await h.tempDir(),
    policy: { autonomy: 'semi' },
    tuning: { modelHeartbeatTimeoutSeconds: 5 },
  });
  expect(spawned.status).toBe(201);
  const id = spawned.body.id as string;
  await waitForStatus(h.client, id, (v) => v.pendingApprovals.length === 1);

  const listed = await until(
    () => api.call('bob', 'GET', '/approvals?workspace=acme'),
    (r) => r.body.items?.some((a: PendingApproval) => a.agentId === id),
    "alice's approval in acme's listing",
  );
  const approval = listed.body.items.find((a: PendingApproval) => a.agentId === id) as PendingApproval;
  expect(approval).toMatchObject({
    tool: 'bash',
    input: { command: 'echo approved' },
    owner: 'alice',
    workspace: 'acme',
  });
  expect((await api.call('alice', 'GET', `/approvals?agentId=${id}`)).body.items).toEqual([approval]);

  // A stranger: nothing listed, and the approval does not exist for them.
  expect((await api.call('carol', 'GET', '/approvals')).body.items).toEqual([]);
  expect(await api.call('carol', 'GET', `/approvals?agentId=${id}`)).toMatchObject({ status: 404 });
  expect(
    await api.call('carol', 'POST', `/approvals/${approval.callId}`, { decision: 'allow' }),
  ).toMatchObject({
    status: 404,
    body: { error: { code: 'not_found', message: `no pending approval "${approval.callId}"` } },
  });
  // A member who does not own the agent may not answer for it.
  expect(await api.call('bob', 'POST', `/approvals/${approval.callId}`, { decision: 'allow' })).toMatchObject(
    {
      status: 403,
      body: { error: { code: 'forbidden' } },
    },
  );
  // A bad answer is refused before anything is sent.
  expect(
    await api.call('alice', 'POST', `/approvals/${approval.callId}`, { decision: 'perhaps' }),
  ).toMatchObject({
    status: 400,
  });

  // Nor may a caller say who they are: that comes from the token.
  expect(
    await api.call('alice', 'POST', `/approvals/${approval.callId}`, { decision: 'allow', user: 'mallory' }),
  ).toMatchObject({ status: 400 });

  const answered = await api.call('alice', 'POST', `/approvals/${approval.callId}`, {
    decision: 'allow',
    note: 'fine',
  });
  expect(answered).toMatchObject({
    status: 202,
    body: { callId: approval.callId, agentId: id, decision: 'allow' },
  });
  expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'ran it' });
  // Who answered is the token's user, recorded with the answer.
  expect((await agentEvents(h.client, id)).find((e) => e.type === 'approval_answered')).toMatchObject({
    decision: 'allow',
    by: 'person',
    user: 'alice',
  });
  expect(
    await api.call('alice', 'POST', `/approvals/${approval.callId}`, { decision: 'allow' }),
  ).toMatchObject({
    status: 404,
  });
});

test('a spawn naming an unknown registry entry is a 400 that lists the known ones', async () => {
  const r = await api.call('alice', 'POST', '/agents', {
    task: 'x',
    cwd: await h.tempDir(),
    agent: 'wizard',
  });
  expect(r).toMatchObject({
    status: 400,
    body: {
      error: { message: expect.stringContaining('no agent "wizard" in the registry; known: planner') },
    },
  });
});
