/**
 * Provider rate limits: a swarm of many agents queues its model calls instead of
 * stampeding the provider, and no call fails for it.
 */
import { waitForSwarm } from '../src/temporal/swarms';
import { useHarness } from './helpers/harness';

describe('at most N model calls at once per worker', () => {
  const h = useHarness({ modelLimits: { modelConcurrency: 2 } });

  test('a swarm of 6 agents never has more than 2 model calls in flight, and all succeed', async () => {
    const agents = Array.from({ length: 6 }, (_, i) => ({
      task: h.script([{ text: `answer ${i}`, delayMs: 400 }]),
    }));
    const id = await h.swarm({ strategy: 'parallel', task: 'x', merge: 'all', agents });
    const out = await waitForSwarm(h.client, id);
    expect(out.stats).toMatchObject({ completed: 6, failed: 0 });
    expect(h.model.maxInFlight()).toBe(2);
    expect(h.model.requests.every((r) => r.status === 200 && r.attempt === 1)).toBe(true);
  });
});

describe('at most N model calls a minute across the fleet', () => {
  const h = useHarness({ modelLimits: { modelCallsPerMinute: 120 } });

  test('6 calls at 2 a second are spread over more than 2 seconds, and all succeed', async () => {
    const agents = Array.from({ length: 6 }, (_, i) => ({ task: h.script([{ text: `answer ${i}` }]) }));
    const id = await h.swarm({ strategy: 'parallel', task: 'x', merge: 'all', agents });
    const out = await waitForSwarm(h.client, id);
    expect(out.stats).toMatchObject({ completed: 6, failed: 0 });
    const times = out.agents.map((a) => Date.parse(a.endedAt!));
    expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(1500);
  });
});
