/**
 * Stale detection: an agent whose work has shown no sign of life past the threshold is
 * reported `stale: true`, in its status and in lists, and the API still answers when no
 * worker is there to answer the status query.
 */
import { randomUUID } from 'node:crypto';
import { useHarness } from './helpers/harness';
import { startTestApi, useApi, USERS, type TestApi } from './helpers/api';
import { FeedClient } from './helpers/feed';
import { until } from './helpers/poll';
import { startWorkerProcess } from './helpers/worker-process';

// Its workers are killed: a namespace of its own, so that they hold no other suite's store.
const h = useHarness({ worker: false, ownNamespace: true });
const api = useApi(h, { staleAfterSeconds: 2, queryTimeoutMs: 1000 });
// Stale after 5 s: its agent's first look must come before that, while the other tests start workers.
const patientApi = useApi(h, { staleAfterSeconds: 5, queryTimeoutMs: 1000 });
// Its feed gives a read up after 1.5 s, not 5: the test waits out three of them.
const quickFeed = useApi(h, { queryTimeoutMs: 1000, requestTimeoutMs: 1500 });

const tuning = { modelHeartbeatTimeoutSeconds: 5 };

/**
 * Each test places its agents on a task queue of its own (`location`) and starts and stops the
 * workers of that queue alone: "no worker is up" holds for it while the others run theirs, so
 * the tests, which mostly wait (on staleness, heartbeat timeouts, worker starts), run at once.
 */
const ownQueue = () => `${h.taskQueue}-${randomUUID().slice(0, 6)}`;

/** Run `fn` while an in-process worker serves `queue` (on a connection of its own: h.startWorker). */
async function withWorker<T>(queue: string, fn: () => Promise<T>): Promise<T> {
  const worker = await h.startWorker(queue);
  try {
    return await fn();
  } finally {
    await worker.stop();
  }
}

test.concurrent(
  'an agent no worker has picked up goes stale, in its status and in lists, and recovers when one comes',
  async () => {
    const location = ownQueue();
    const { body } = await patientApi.call('alice', 'POST', '/agents', {
      task: h.script([{ text: 'done' }]),
      cwd: await h.tempDir(),
      tuning,
      location,
    });
    const id: string = body.id;
    const fresh = await patientApi.call('alice', 'GET', `/agents/${id}`);
    expect(fresh.status).toBe(200);
    expect(fresh.body.stale).toBe(false);

    // Control needs no worker: the request waits for one to take it (4 s), then goes as a signal
    // that waits for one. Sent now: the agent goes stale meanwhile.
    const pausing = patientApi.call('alice', 'POST', `/agents/${id}/pause`, {
      reason: 'while no worker is up',
    });
    const stale = await until(
      () => patientApi.call('alice', 'GET', `/agents/${id}`),
      (r) => r.body.stale === true,
      'never reported stale',
    );
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
      () => patientApi.call('alice', 'GET', '/agents?limit=200'),
      (r) => r.body.items.some((a: { id: string }) => a.id === id),
      'not listed',
    );
    expect(listed.body.items.find((a: { id: string }) => a.id === id)).toMatchObject({ stale: true });

    const paused = await pausing;
    expect(paused.status).toBe(202);
    expect(paused.body).toMatchObject({ statusBefore: 'running', queued: true });

    await withWorker(location, async () => {
      await until(
        () => patientApi.call('alice', 'GET', `/agents/${id}`),
        (r) => r.body.status === 'paused',
        'not paused',
      );
      expect((await patientApi.call('alice', 'POST', `/agents/${id}/resume`)).status).toBe(202);
      const done = await until(
        () => patientApi.call('alice', 'GET', `/agents/${id}`),
        (r) => r.body.status === 'completed' && r.body.partial === undefined,
        'did not complete, or never answered in full',
      );
      expect(done.body).toMatchObject({ stale: false, result: 'done' });
      // Read in full once closed (a loaded worker may miss the 1 s query deadline: a partial answer).
      await until(
        () => patientApi.call('alice', 'GET', `/agents/${id}`),
        (r) => r.body.temporalStatus === 'COMPLETED' && r.body.partial === undefined,
        'did not close, or never answered in full',
      );
    });
    // A finished run never changes: the API asked a worker once, and answers in full with none up.
    const kept = await patientApi.call('alice', 'GET', `/agents/${id}`);
    expect(kept.body).toMatchObject({ status: 'completed', result: 'done', temporalStatus: 'COMPLETED' });
    expect(kept.body.partial).toBeUndefined();
  },
);

test.concurrent(
  'a model call whose worker died stops heartbeating: stale until another worker takes it over',
  async () => {
    const task = h.script([{ text: 'survived', delayMs: 60_000, slowAttempts: 1 }]);
    const location = ownQueue();
    const workers = { ORCHESTRA_TASK_QUEUE: location };
    const first = startWorkerProcess(h, workers);
    let second: ReturnType<typeof startWorkerProcess> | undefined;
    try {
      const { body } = await api.call('alice', 'POST', '/agents', {
        task,
        cwd: await h.tempDir(),
        tuning,
        location,
      });
      const id: string = body.id;
      // The call starts inside the agent's workflow task; past localModelCallMs (1.5 s) a queued,
      // heartbeating activity adopts it.
      await until(
        async () => (await h.client.workflow.getHandle(`agent-${id}`).describe()).raw.pendingActivities ?? [],
        (pending) => pending.some((a) => a.activityType?.name === 'callModel'),
        'the model call was not handed to a queued activity',
      );
      expect(h.model.requests.filter((r) => task.includes(`[${r.script}]`))).toHaveLength(1);
      expect((await api.call('alice', 'GET', `/agents/${id}`)).body.stale).toBe(false);
      first.kill9();
      // Another worker comes up at once (as in a fleet): the call is still the dead one's until its
      // heartbeat timeout (5 s), stale meanwhile.
      second = startWorkerProcess(h, workers);
      const stale = await until(
        () => api.call('alice', 'GET', `/agents/${id}`),
        (r) => r.body.stale === true,
        'never reported stale',
      );
      expect(stale.body.silentWork).toBe('callModel (started)');
      expect(Date.now() - Date.parse(stale.body.silentSince)).toBeGreaterThan(2000);

      const done = await until(
        () => api.call('alice', 'GET', `/agents/${id}`),
        (r) => r.body.status === 'completed',
        'did not complete on the second worker',
        60_000,
      );
      expect(done.body).toMatchObject({ stale: false, result: 'survived' });
    } finally {
      await Promise.all([first.stop(), second?.stop()]);
    }
  },
);

test.concurrent(
  'an agent terminated before any worker ran it reads as failed, from its start input and how it closed',
  async () => {
    const task = h.script([{ text: 'never said' }], { task: 'Wait in the queue' });
    const { body } = await api.call('alice', 'POST', '/agents', {
      task,
      cwd: await h.tempDir(),
      name: 'queued',
      location: ownQueue(),
    });
    const id: string = body.id;
    // No worker is up: its first workflow task never starts. Temporal refuses a query of it.
    await h.client.workflow.getHandle(`agent-${id}`).terminate('an operator cleared the queue');
    const read = await until(
      () => api.call('alice', 'GET', `/agents/${id}`),
      // With the server's record of its start and end: on a loaded machine a GET's wait may end
      // before that read does, and it answers with the status alone.
      (r) => r.body.temporalStatus === 'TERMINATED' && r.body.status !== 'running',
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
  },
);

/** Interactive agents waiting for input, whose worker is gone: no query of them can be answered. */
function waitingWithNoWorker(count: number): Promise<string[]> {
  const location = ownQueue();
  return withWorker(location, async () => {
    const ids = await Promise.all(
      Array.from({ length: count }, async () => {
        const { body } = await api.call('alice', 'POST', '/agents', {
          task: h.script([{ text: 'ready' }]),
          cwd: await h.tempDir(),
          type: 'interactive',
          location,
        });
        return body.id as string;
      }),
    );
    for (const id of ids)
      await until(
        () => api.call('alice', 'GET', `/agents/${id}`),
        (r) => r.body.status === 'waiting_for_input' && r.body.partial === undefined,
        'the interactive agent waiting',
      );
    return ids;
  });
}

/** One such agent for each of the two feed tests, made under one worker start. */
let waitingPair: Promise<string[]> | undefined;
const waitingAgent = async (which: 0 | 1) => (await (waitingPair ??= waitingWithNoWorker(2)))[which];

const feedOf = (target: TestApi) =>
  FeedClient.open(`${target.url.replace(/^http/, 'ws')}/ws`, USERS.alice.token);

test.concurrent(
  'the feed stops reading an idle agent no worker can answer for, after a few tries',
  async () => {
    const id = await waitingAgent(0);
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
  },
);

test.concurrent(
  'an API that closes ends the reads its feed has under way at once, not at their 5 s deadline',
  async () => {
    const id = await waitingAgent(1);
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
  },
);
