/**
 * What the Temporal Web UI shows of each workflow's handlers: every signal, query and Update of
 * an agent, a swarm, a session, a cost ledger and a zones store carries a description (the workflow's
 * metadata, which the Web UI and `temporal workflow metadata` read).
 */
import { randomUUID } from 'node:crypto';
import {
  agentWorkflowId,
  LEDGER_QUEUE,
  ledgerWorkflowId,
  sessionWorkflowId,
  swarmWorkflowId,
  utcDay,
  ZONES_QUEUE,
  zonesWorkflowId,
} from '../src/domain';
import { controlAgent, listAgents } from '../src/temporal/agents';
import { createSession } from '../src/temporal/sessions';
import { costLedgerWorkflow } from '../workflows/cost/ledger';
import { zonesWorkflow } from '../workflows/zones/workflow';
import { until } from './helpers/poll';
import { useHarness, waitForStatus } from './helpers/harness';

const h = useHarness();

interface Definition {
  name: string;
  description?: string;
}
interface Metadata {
  definition: {
    type: string;
    queryDefinitions: Definition[];
    signalDefinitions: Definition[];
    updateDefinitions: Definition[];
  };
}

const metadata = (workflowId: string) =>
  h.client.workflow.getHandle(workflowId).query<Metadata>('__temporal_workflow_metadata');

/** Each kind of handler by name, every one described; the SDK's own (`__...`) aside. */
function described(meta: Metadata): Record<'signals' | 'queries' | 'updates', string[]> {
  const { signalDefinitions, queryDefinitions, updateDefinitions } = meta.definition;
  const names = (defs: Definition[]) => {
    const own = defs.filter((d) => !d.name.startsWith('__'));
    const undescribed = own.filter((d) => (d.description?.trim().length ?? 0) < 16).map((d) => d.name);
    expect(undescribed).toEqual([]);
    return own.map((d) => d.name).sort();
  };
  return {
    signals: names(signalDefinitions),
    queries: names(queryDefinitions),
    updates: names(updateDefinitions),
  };
}

test('an agent: its control signals and Updates, and its queries, each with a description', async () => {
  const id = await h.spawn({ task: h.busyTask(300) });
  await waitForStatus(h.client, id, (v) => v.status === 'running');
  try {
    expect(described(await metadata(agentWorkflowId(id)))).toEqual({
      signals: ['approve', 'cancel', 'message', 'pause', 'resume'],
      queries: ['approvals', 'events', 'modelContext', 'status', 'transcript'],
      updates: ['approve', 'cancel', 'message', 'pause', 'resume'],
    });
  } finally {
    await controlAgent(h.client, id, 'cancel');
  }
});

test('a swarm, a session and a cost ledger: the same', async () => {
  const busy = h.busyTask(300);
  const swarm = await h.swarm({ strategy: 'parallel', task: 'unused', agents: [{ task: busy }] });
  const session = await createSession(h.client, h.taskQueue, { cwd: await h.tempDir() });
  const ledger = await h.client.workflow.start(costLedgerWorkflow, {
    taskQueue: LEDGER_QUEUE,
    workflowId: ledgerWorkflowId(`metadata-${randomUUID().slice(0, 6)}`, utcDay(new Date().toISOString())),
    args: [{ workspace: 'metadata', day: utcDay(new Date().toISOString()) }],
  });
  try {
    // Its agent, started by the swarm's workflow, is listed with its name and task like any other.
    const listed = await until(
      async () => (await listAgents(h.client, { running: true })).items.find((a) => a.id === `${swarm}.1`),
      (entry) => entry !== undefined,
      "the swarm's agent in the listing",
    );
    expect(listed).toMatchObject({
      name: expect.any(String),
      task: expect.stringContaining(busy),
      swarmId: swarm,
    });
    expect(described(await metadata(swarmWorkflowId(swarm)))).toEqual({
      signals: ['broadcast', 'cancel', 'close', 'delegate', 'pause', 'resume', 'usage'],
      queries: ['events', 'status'],
      updates: ['addAgent', 'cancel', 'close', 'pause', 'resume'],
    });
    expect(described(await metadata(sessionWorkflowId(session.id)))).toEqual({
      signals: ['cancel', 'close', 'finding', 'join', 'pause', 'resume', 'usage'],
      queries: ['status'],
      updates: ['cancel', 'charge', 'pause', 'resume'],
    });
    expect(described(await metadata(ledger.workflowId))).toEqual({
      signals: [],
      queries: ['status'],
      updates: ['charge'],
    });
  } finally {
    await Promise.all([
      h.client.workflow.getHandle(swarmWorkflowId(swarm)).terminate('test done'),
      h.client.workflow.getHandle(sessionWorkflowId(session.id)).terminate('test done'),
      ledger.terminate('test done'),
    ]);
  }
});

test("a workspace's zones store: the same", async () => {
  const workspace = `metadata-${randomUUID().slice(0, 6)}`;
  const zones = await h.client.workflow.start(zonesWorkflow, {
    taskQueue: ZONES_QUEUE,
    workflowId: zonesWorkflowId(workspace),
    args: [{ workspace, zones: [], assignments: {} }],
  });
  try {
    expect(described(await metadata(zones.workflowId))).toEqual({
      signals: [],
      queries: ['status'],
      updates: ['assignAgents', 'createZone', 'deleteZone', 'renameZone'],
    });
  } finally {
    await zones.terminate('test done');
  }
});
