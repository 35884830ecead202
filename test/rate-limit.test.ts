/**
 * Provider rate limits: a swarm of many agents queues its model calls instead of
 * stampeding the provider, and no call fails for it.
 */
import { ModelFailure, modelQueue } from '../src/domain';
import { waitForSwarm } from '../src/temporal/swarms';
import { useHarness } from './helpers/harness';

describe('at most N model calls at once per worker', () => {
  const h = useHarness({ modelLimits: { modelConcurrency: 2 } });

  test('a swarm of 6 agents never has more than 2 model calls in flight, and all succeed', async () => {
    // Short calls first, so that later calls take the fast path (local activities): it keeps the limit too.
    const agents = Array.from({ length: 6 }, (_, i) => ({
      task: h.script([
        { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 100 },
        { toolCalls: [{ name: 'list_files', input: {} }], delayMs: 100 },
        { text: `answer ${i}`, delayMs: 100 },
      ]),
    }));
    const tuning = { modelHeartbeatTimeoutSeconds: 5, localModelCallMs: 5000 };
    const id = await h.swarm({ strategy: 'parallel', task: 'x', merge: 'all', agents }, { tuning });
    const out = await waitForSwarm(h.client, id);
    expect(out.stats).toMatchObject({ completed: 6, failed: 0 });
    expect(h.model.maxInFlight()).toBe(2);
    expect(h.model.requests.every((r) => r.status === 200 && r.attempt === 1)).toBe(true);
  });
});

describe('at most N model calls a minute across the fleet', () => {
  const h = useHarness({ modelLimits: { modelCallsPerMinute: 120 } });

  test('6 calls at 2 a second are spread over more than 2 seconds, and all succeed', async () => {
    // Two calls each: the first would run on the agent's own queue and the second on the fast
    // path; a worker that keeps a fleet-wide limit refuses both, and the agent learns it once.
    const agents = Array.from({ length: 3 }, (_, i) => ({
      task: h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: `answer ${i}` }]),
    }));
    const id = await h.swarm({ strategy: 'parallel', task: 'x', merge: 'all', agents });
    const out = await waitForSwarm(h.client, id);
    expect(out.stats).toMatchObject({ completed: 3, failed: 0 });
    // Six calls at two a second: the last starts 2.5 s after the first.
    expect(Date.parse(out.updatedAt) - Date.parse(out.startedAt)).toBeGreaterThanOrEqual(2000);
    expect(h.model.requests.every((r) => r.status === 200 && r.attempt === 1)).toBe(true);
    // The refused call never reached the model: six requests in all.
    expect(h.model.requests).toHaveLength(6);
    for (const agent of out.agents) {
      const events = (await h.client.workflow.getHandle(`agent-${agent.id}`).fetchHistory()).events ?? [];
      const queues = events.flatMap((e) => {
        const a = e.activityTaskScheduledEventAttributes;
        return a?.activityType?.name === 'callModel' ? [a.taskQueue?.name] : [];
      });
      // Refused once as a local call (no round trip); then both calls through the model queue,
      // where the server counts them.
      expect(queues).toEqual([modelQueue(h.taskQueue), modelQueue(h.taskQueue)]);
      const refusals = events.filter(
        (e) =>
          e.markerRecordedEventAttributes?.failure?.applicationFailureInfo?.type === ModelFailure.notLocal,
      );
      expect(refusals).toHaveLength(1);
    }
  });
});
