/**
 * Stale detection: an agent whose work has shown no sign of life past the threshold is
 * reported `stale: true`, in its status and in lists, and the API still answers when no
 * worker is there to answer the status query.
 */
import { useHarness } from './helpers/harness';
import { startTestApi, useApi, USERS, type TestApi } from './helpers/api';
import { FeedClient } from './helpers/feed';
import { until } from './helpers/poll';
import { startWorkerProcess } from './helpers/worker-process';

// Its workers are killed: a namespace of its own, so that they hold no other suite's store.
const h = useHarness({ worker: false, ownNamespace: true });
const api = useApi(h, { staleAfterSeconds: 2, queryTimeoutMs: 1000 });
// Its feed gives a read up after 1.5 s, not 5: the test waits out three of them.
const quickFeed = useApi(h, { queryTimeoutMs: 1000, requestTimeoutMs: 1500 });

const tuning = { modelHeartbeatTimeoutSeconds: 5 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('an agent no worker has picked up goes stale, in its status and in lists, and recovers when one comes', async () => {
  const { body } = await api.call('alice', 'POST', '/agents', {
    task: h.script([{ text: 'done' }]),
    cwd: await h.tempDir(),
    tuning,
  });
  const id: string = body.id;
  const fresh = await api.call('alice', 'GET', `/agents/${id}`);
  expect(fresh.status).toBe(200);
  expect(fresh.body.stale).toBe(false);

  await sleep(2500);
  const stale = await api.call('alice', 'GET', `/agents/${id}`);
  expect(stale.status).toBe(200);
  // Started with a task, it is `running` as far as the server knows (its search attribute).
  expect(stale.body).toMatchObject({
    id,
    status: 'running',
    owner: 'alice',
    stale: true,
    silentWork: 'workflow task (scheduled)',
    partial: expect.stringMatching(/no worker answered/),
  });
  const listed = await until(
    () => api.call('alice', 'GET', '/agents?limit=200'),
    (r) => r.body.items.some((a: { id: string }) => a.id === id),
    'not listed',
  );
  expect(listed.body.items.find((a: { id: string }) => a.id === id)).toMatchObject({ stale: true });

  // Control needs no worker: the signal waits for one.
  const paused = await api.call('alice', 'POST', `/agents/${id}/pause`, { reason: 'while no worker is up' });
  expect(paused.status).toBe(202);
  expect(paused.body).toMatchObject({ statusBefore: 'running', queued: true });

  const worker = await h.startWorker();
  try {
    await until(
      () => api.call('alice', 'GET', `/agents/${id}`),
      (r) => r.body.status === 'paused',
      'not paused',
    );
    expect((await api.call('alice', 'POST', `/agents/${id}/resume`)).status).toBe(202);
    const done = await until(
      () => api.call('alice', 'GET', `/agents/${id}`),
      (r) => r.body.status === 'completed' && r.body.partial === undefined,
      'did not complete, or never answered in full',
    );
    expect(done.body).toMatchObject({ stale: false, result: 'done' });
    // Read in full once closed (a loaded worker may miss the 1 s query deadline: a partial answer).
    await until(
      () => api.call('alice', 'GET', `/agents/${id}`),
      (r) => r.body.temporalStatus === 'COMPLETED' && r.body.partial === undefined,
      'did not close, or never answered in full',
    );
  } finally {
    await worker.stop();
  }
  // A finished run never changes: the API asked a worker once, and answers in full with none up.
  const kept = await api.call('alice', 'GET', `/agents/${id}`);
  expect(kept.body).toMatchObject({ status: 'completed', result: 'done', temporalStatus: 'COMPLETED' });
  expect(kept.body.partial).toBeUndefined();
});

test('a model call whose worker died stops heartbeating: stale until another worker takes it over', async () => {
  const task = h.script([{ text: 'survived', delayMs: 60_000, slowAttempts: 1 }]);
  const first = startWorkerProcess(h);
  const { body } = await api.call('alice', 'POST', '/agents', { task, cwd: await h.tempDir(), tuning });
  const id: string = body.id;
  // The call starts inside the agent's workflow task; past localModelCallMs (2 s) a queued,
  // heartbeating activity adopts it.
  await until(
    async () => (await h.client.workflow.getHandle(`agent-${id}`).describe()).raw.pendingActivities ?? [],
    (pending) => pending.some((a) => a.activityType?.name === 'callModel'),
    'the model call was not handed to a queued activity',
  );
  expect(h.model.requests.filter((r) => task.includes(`[${r.script}]`))).toHaveLength(1);
  expect((await api.call('alice', 'GET', `/agents/${id}`)).body.stale).toBe(false);
  first.kill9();
  const stale = await until(
    () => api.call('alice', 'GET', `/agents/${id}`),
    (r) => r.body.stale === true,
    'never reported stale',
  );
  expect(stale.body.silentWork).toBe('callModel (started)');
  expect(Date.now() - Date.parse(stale.body.silentSince)).toBeGreaterThan(2000);

  const second = startWorkerProcess(h);
  try {
    const done = await until(
      () => api.call('alice', 'GET', `/agents/${id}`),
      (r) => r.body.status === 'completed',
      'did not complete on the second worker',
      60_000,
    );
    expect(done.body).toMatchObject({ stale: false, result: 'survived' });
  } finally {
    await second.stop();
  }
});

test('an agent terminated before any worker ran it reads as failed, from its start input and how it closed', async () => {
  const task = h.script([{ text: 'never said' }], { task: 'Wait in the queue' });
  const { body } = await api.call('alice', 'POST', '/agents', {
    task,
    cwd: await h.tempDir(),
    name: 'queued',
  });
  const id: string = body.id;
  // No worker is up: its first workflow task never starts. Temporal refuses a query of it.
  await h.client.workflow.getHandle(`agent-${id}`).terminate('an operator cleared the queue');
  const read = await until(
    () => api.call('alice', 'GET', `/agents/${id}`),
    (r) => r.body.temporalStatus === 'TERMINATED',
    'the terminated agent read',
  );
  expect(read.status).toBe(200);
  expect(read.body).toMatchObject({
    id,
    name: 'queued',
    task,
    status: 'failed',
    error: 'terminated before a worker started it',
    iterations: 0,
    owner: 'alice',
  });
});

/** An interactive agent waiting for input, whose worker is gone: no query of it can be answered. */
async function waitingWithNoWorker(): Promise<string> {
  const worker = await h.startWorker();
  const { body } = await api.call('alice', 'POST', '/agents', {
    task: h.script([{ text: 'ready' }]),
    cwd: await h.tempDir(),
    type: 'interactive',
  });
  const id: string = body.id;
  await until(
    () => api.call('alice', 'GET', `/agents/${id}`),
    (r) => r.body.status === 'waiting_for_input' && r.body.partial === undefined,
    'the interactive agent waiting',
  );
  await worker.stop();
  return id;
}

const feedOf = (target: TestApi) =>
  FeedClient.open(`${target.url.replace(/^http/, 'ws')}/ws`, USERS.alice.token);

test('the feed stops reading an idle agent no worker can answer for, after a few tries', async () => {
  const id = await waitingWithNoWorker();
  // A listener arrives: the hub follows what changed lately, this agent too, and cannot read it.
  const feed = await feedOf(quickFeed);
  try {
    const hub = quickFeed.server.feed;
    await until(
      async () => hub.owes('agent', id),
      (yes) => yes,
      'the hub trying to read the agent',
      60_000,
    );
    await until(
      async () => hub.owes('agent', id),
      (yes) => !yes,
      'the hub giving up on the agent no worker answers for',
      60_000,
    );
    // From then on it is not read, tick after tick (a read under way would owe it).
    const ticks = hub.calls.ticks;
    const owed = await until(
      async () => (hub.owes('agent', id) ? 'read again' : hub.calls.ticks - ticks),
      (n) => n === 'read again' || n >= 5,
      'five ticks',
    );
    expect(owed).not.toBe('read again');
  } finally {
    feed.close();
  }
});

test('an API that closes ends the reads its feed has under way at once, not at their 5 s deadline', async () => {
  const id = await waitingWithNoWorker();
  const closing = await startTestApi(h);
  const feed = await feedOf(closing);
  try {
    await until(
      async () => closing.server.feed.owes('agent', id),
      (yes) => yes,
      'the hub reading the agent',
      60_000,
    );
    const started = Date.now();
    await closing.close();
    expect(Date.now() - started).toBeLessThan(2500);
  } finally {
    feed.close();
    await closing.close();
  }
});
