/**
 * A GET's inspection of an agent on a server slow to describe it (a loaded server holds the
 * workflow's lock for seconds): the visibility store says who owns it and its status within
 * the wait; its staleness is the run's last described one, or none known.
 */
import type { Client } from '@temporalio/client';
import { inspectVisibleBy } from '../src/api/access';
import { QuickInspections } from '../src/api/quick-inspections';
import type { ApiDeps } from '../src/api/route';
import { agentWorkflowId } from '../src/domain';
import { spawnAgent, waitForAgent } from '../src/temporal/agents';
import { inspectWorkflow, locateWorkflow } from '../src/temporal/inspect';
import { useApi } from './helpers/api';
import { until } from './helpers/poll';
import { useHarness } from './helpers/harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The harness's client with each description held back `ms`, as a loaded server's are. */
function slowToDescribe(client: Client, ms: number): Client {
  const workflow = new Proxy(client.workflow, {
    get(target, key) {
      if (key !== 'getHandle') return Reflect.get(target, key);
      return (...args: Parameters<typeof target.getHandle>) => {
        const handle = target.getHandle(...args);
        return new Proxy(handle, {
          get(h, k) {
            if (k !== 'describe') return Reflect.get(h, k);
            return async () => (await sleep(ms), h.describe());
          },
        });
      };
    },
  });
  return new Proxy(client, { get: (c, key) => (key === 'workflow' ? workflow : Reflect.get(c, key)) });
}

class NotFound extends Error {}
const notFound = () => new NotFound('no such agent');

describe('QuickInspections', () => {
  const h = useHarness();
  let workflowId: string;

  beforeAll(async () => {
    // One long model call: the agent stays running while the tests look at it.
    const task = h.script([{ text: 'done', delayMs: 60_000 }]);
    const cwd = await h.tempDir();
    const { id } = await spawnAgent(
      h.client,
      { ...h.defaults, owner: 'alice' },
      { task, cwd, workspace: 'team' },
    );
    workflowId = agentWorkflowId(id);
    // The store has a run moments after it starts.
    await until(
      () => locateWorkflow(h.client, workflowId),
      Boolean,
      `${workflowId} in the visibility store`,
      30_000,
      50,
    );
  });

  test('a description that comes within the wait is used whole', async () => {
    const quick = await new QuickInspections().inspect(
      h.client,
      workflowId,
      notFound,
      60_000,
      Date.now() + 5_000,
    );
    expect(quick.staleness).toBe('fresh');
    expect(quick.inspection).toMatchObject({ workspace: 'team', owner: 'alice', temporalStatus: 'RUNNING' });
  });

  test('a description later than the row but within the wait is still used', async () => {
    const slow = slowToDescribe(h.client, 1_000);
    const started = Date.now();
    const quick = await new QuickInspections().inspect(
      slow,
      workflowId,
      notFound,
      60_000,
      Date.now() + 5_000,
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(quick.staleness).toBe('fresh');
  });

  test("when the row answers for a late description, another workspace's member still learns nothing", async () => {
    const deps = {
      client: slowToDescribe(h.client, 1_500),
      inspections: new QuickInspections(),
      staleAfterMs: 60_000,
    } as unknown as ApiDeps;
    const member = { user: 'bob', workspaces: ['team'], admin: false };
    const stranger = { user: 'eve', workspaces: ['elsewhere'], admin: false };
    const id = workflowId.slice(agentWorkflowId('').length);
    const seen = await inspectVisibleBy(deps, member, 'agent', id, Date.now() + 100);
    expect(seen).toMatchObject({ staleness: 'unknown', inspection: { workspace: 'team' } });
    await expect(inspectVisibleBy(deps, stranger, 'agent', id, Date.now() + 100)).rejects.toMatchObject({
      status: 404,
    });
  });

  test('a description past the wait: the row answers, then the staleness it described meanwhile', async () => {
    const inspections = new QuickInspections();
    const slow = slowToDescribe(h.client, 1_500);
    const truth = await inspectWorkflow(h.client, workflowId, notFound, 60_000);
    const started = Date.now();
    const first = await inspections.inspect(slow, workflowId, notFound, 60_000, Date.now() + 100);
    // It did not wait for the description.
    expect(Date.now() - started).toBeLessThan(1_400);
    expect(first.staleness).toBe('unknown');
    expect(first.inspection).toMatchObject({
      workflowId,
      runId: truth.runId,
      workspace: 'team',
      owner: 'alice',
      status: truth.status,
      temporalStatus: 'RUNNING',
      staleness: { stale: false },
    });
    // The description lands in the background; on a loaded machine, later than its 1.5 s.
    const second = await until(
      () => inspections.inspect(slow, workflowId, notFound, 60_000, Date.now() + 100),
      (row) => row.staleness !== 'unknown',
      'the staleness the slow description found',
    );
    expect(second.staleness).toEqual({ asOf: expect.any(Number) });
    expect(second.inspection.staleness).toEqual(truth.staleness);
  });

  test('an id no run has: not found, from the description', async () => {
    await expect(
      new QuickInspections().inspect(h.client, agentWorkflowId('nobody'), notFound, 60_000, Date.now() + 100),
    ).rejects.toBeInstanceOf(NotFound);
  });
});

describe('GET /agents/:id of a finished agent whose view no worker gives in time', () => {
  const h = useHarness({ worker: false });
  const api = useApi(h);

  test('answers within its wait with the result the server recorded; the whole view once a worker gives it', async () => {
    const worker = await h.startWorker();
    const { body } = await api.call('alice', 'POST', '/agents', {
      task: h.script([{ text: 'all done' }]),
      cwd: await h.tempDir(),
    });
    const id: string = body.id;
    await waitForAgent(h.client, id);
    // No worker to replay the finished run: its status query cannot be answered.
    await worker.stop();
    const started = Date.now();
    const thin = await api.call('alice', 'GET', `/agents/${id}`);
    expect(Date.now() - started).toBeLessThan(3_000); // not the 5 s query timeout
    expect(thin.status).toBe(200);
    expect(thin.body).toMatchObject({
      id,
      status: 'completed',
      result: 'all done',
      temporalStatus: 'COMPLETED',
      partial: expect.stringContaining('what the server recorded of the finished run'),
    });
    expect(thin.body.iterations).toBeUndefined();
    // The query asked meanwhile is answered once a worker is back, and kept.
    const again = await h.startWorker();
    try {
      await until(
        () => api.call('alice', 'GET', `/agents/${id}`),
        (r) => r.body.iterations === 1 && r.body.partial === undefined,
        'never the whole view',
      );
    } finally {
      await again.stop();
    }
  });
});
