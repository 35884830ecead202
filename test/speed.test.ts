/**
 * Speed without losing anything: what a turn costs in the history, who a swarm hears from,
 * the fast path and its checkpoints, and the views that stay current. Real server, real
 * workers, the scripted model over HTTP.
 */
import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { temporal } from '@temporalio/proto';
import { agentWorkflowId, swarmWorkflowId } from '../src/domain';
import { agentStatus, waitForAgent } from '../src/temporal/agents';
import { answerApproval } from '../src/temporal/approvals';
import { swarmEvents, waitForSwarm } from '../src/temporal/swarms';
import { startHarness, useHarness, waitForStatus, type Harness } from './helpers/harness';
import { until } from './helpers/poll';
import { STARTS_IN_FLIGHT } from '../workflows/swarm/start-slots';

const h = useHarness();
const list = { name: 'list_files', input: {} };
const EventType = temporal.api.enums.v1.EventType;

async function history(workflowId: string) {
  return (await h.client.workflow.getHandle(workflowId).fetchHistory()).events ?? [];
}

/** The Web UI's "current details" of a workflow, as the UI reads them. */
async function details(workflowId: string): Promise<string> {
  const meta = await h.client.workflow
    .getHandle(workflowId)
    .query<{ currentDetails?: string }>('__temporal_workflow_metadata');
  return meta.currentDetails ?? '';
}

test('a model call carries only what is new: every turn adds about the same to the history', async () => {
  const task = h.script([...Array.from({ length: 30 }, () => ({ toolCalls: [list] })), { text: 'done' }]);
  // Every call through the model queue, so that each one's input is in the history.
  const id = await h.spawn({ task, tuning: { localModelCallMs: 0 } });
  expect((await waitForAgent(h.client, id)).status).toBe('completed');
  const inputs = (await history(agentWorkflowId(id)))
    .filter((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'callModel')
    .map(
      (e) =>
        temporal.api.common.v1.Payloads.encode(e.activityTaskScheduledEventAttributes!.input!).finish()
          .length,
    );
  expect(inputs).toHaveLength(31);
  // The first call brings the system prompt and the task; each later one only the last turn.
  const later = inputs.slice(1);
  expect(Math.max(...later) - Math.min(...later)).toBeLessThan(200);
  expect(Math.max(...later)).toBeLessThan(inputs[0]);
  // The model itself saw the whole conversation every time.
  expect(h.requestsFor(task).map((r) => r.messages)).toEqual(inputs.map((_, i) => 2 * i + 1));
});

test('a worker that does not hold the conversation asks the agent for it, and the call goes on', async () => {
  const own: Harness = await startHarness({ worker: false });
  try {
    const first = await own.startWorker();
    const task = own.script([{ toolCalls: [list] }, { toolCalls: [list] }, { text: 'done' }]);
    const id = await own.spawn({ task, policy: { autonomy: 'supervised' }, tuning: { localModelCallMs: 0 } });
    const [pending] = (await waitForStatus(own.client, id, (v) => v.pendingApprovals.length === 1))
      .pendingApprovals;
    // The worker that held the conversation goes; a fresh one holds nothing.
    await first.stop();
    await own.startWorker();
    await answerApproval(own.client, pending, { decision: 'allow' });
    const [second] = (await waitForStatus(own.client, id, (v) => v.pendingApprovals.length === 1))
      .pendingApprovals;
    await answerApproval(own.client, second, { decision: 'allow' });
    expect(await waitForAgent(own.client, id)).toMatchObject({ status: 'completed', result: 'done' });
    expect(own.requestsFor(task).map((r) => `${r.turn}:${r.messages}`)).toEqual(['0:1', '1:3', '2:5']);
  } finally {
    await own.close();
  }
});

test('a swarm hears from its agents when it needs to, not at every step', async () => {
  const task = h.script([...Array.from({ length: 6 }, () => ({ toolCalls: [list] })), { text: 'done' }]);
  const id = await h.swarm({
    strategy: 'parallel',
    task,
    merge: 'all',
    agents: Array.from({ length: 5 }, () => ({})),
  });
  const out = await waitForSwarm(h.client, id);
  expect(out.stats).toMatchObject({ completed: 5, toolCalls: 30 });
  const reports = (await history(swarmWorkflowId(id))).filter(
    (e) => e.workflowExecutionSignaledEventAttributes?.signalName === 'usage',
  );
  // None: their use stays under the report thresholds, and an agent's last use comes with its
  // result. A step-by-step reporter would have sent 35, an end-of-run one 5.
  expect(reports).toEqual([]);
  expect(out.stats.tokens.input).toBeGreaterThan(0);
  // The swarm's running total (what its budgets are checked against) has every agent's use.
  const tokens = (await swarmEvents(h.client, id)).flatMap((e) => (e.type === 'tokens' ? [e] : []));
  expect(tokens).toHaveLength(5);
  expect(tokens.at(-1)).toMatchObject({
    totalInput: out.stats.tokens.input,
    totalOutput: out.stats.tokens.output,
  });
});

test('a big swarm starts its agents at most STARTS_IN_FLIGHT at a time, in order, and every one runs', async () => {
  const n = STARTS_IN_FLIGHT + 5;
  const agents = Array.from({ length: n }, () => ({}));
  const id = await h.swarm({ strategy: 'parallel', task: h.script([{ text: 'ok' }]), merge: 'all', agents });
  const out = await waitForSwarm(h.client, id);
  expect(out.stats).toMatchObject({ spawned: n, completed: n });
  // Starts asked of the server and not yet answered, at each point of the swarm's history.
  let inFlight = 0;
  let most = 0;
  const asked: string[] = [];
  for (const e of await history(swarmWorkflowId(id))) {
    if (e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED) {
      inFlight++;
      asked.push(e.startChildWorkflowExecutionInitiatedEventAttributes!.workflowId!);
    }
    if (
      e.eventType === EventType.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED ||
      e.eventType === EventType.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED
    )
      inFlight--;
    most = Math.max(most, inFlight);
  }
  // All at once would be n; the first workflow task asks for exactly the limit.
  expect(most).toBe(STARTS_IN_FLIGHT);
  expect(inFlight).toBe(0);
  // First come, first served: the agents start in the spec's order.
  expect(asked).toEqual(Array.from({ length: n }, (_, i) => agentWorkflowId(`${id}.${i + 1}`)));
});

test("a swarm's tight budget still hears every step, and stops on time", async () => {
  const id = await h.swarm(
    // Steps of 200 ms: the swarm's cancel reaches the agents within a step even on a loaded
    // machine (with 20 ms steps a third step slipped in once, in a full run).
    { strategy: 'parallel', task: 'unused', agents: [{ task: h.busyTask(200) }, { task: h.busyTask(200) }] },
    { budgets: { maxToolCalls: 6 } },
  );
  const out = await waitForSwarm(h.client, id);
  expect(out).toMatchObject({ status: 'failed', error: 'budget exceeded: maxToolCalls (6)' });
  // Reported at every tool call (6 / 2 agents / 5 rounds down to 1), each report sent at once
  // even in a run of local steps: the swarm stops at the 7th call (past 6), and the overshoot
  // is the steps in flight, two an agent. (A cancelled agent's usage is what it last reported.)
  expect(out.agents.reduce((n, a) => n + a.usage.toolCalls, 0)).toBeLessThanOrEqual(6 + 1 + 2 * 2);
});

test('fast steps run locally, and the history catches up every ten of them', async () => {
  const task = h.script([...Array.from({ length: 25 }, () => ({ toolCalls: [list] })), { text: 'done' }]);
  // A generous threshold, so that every call is local however busy the machine is.
  const id = await h.spawn({ task, tuning: { localModelCallMs: 5000 } });
  expect((await waitForAgent(h.client, id)).metrics).toMatchObject({ iterations: 26, toolCalls: 25 });
  const events = await history(agentWorkflowId(id));
  const scheduled = events.flatMap((e) => e.activityTaskScheduledEventAttributes?.activityType?.name ?? []);
  // No model call went through a queue; a checkpoint every ten local steps at most (sooner
  // when the model time adds up to 1 s), none after the last.
  expect(scheduled).toEqual(['checkpoint', 'checkpoint']);
  const markers = events.filter((e) => e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED);
  // The context files, the patch marker of the first local call, 26 model calls, 25 reads.
  expect(markers.length).toBe(1 + 1 + 26 + 25);
  const tasks = events.filter((e) => e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED);
  expect(tasks.length).toBeLessThanOrEqual(scheduled.length + 3);
});

test('a local call that runs long is handed to a queued one, which adopts it: made once, then heartbeating', async () => {
  // Call 2 runs until the test has seen what it waits for.
  const seen = `speed-adopted-${randomUUID()}`;
  const task = h.script([
    { toolCalls: [list] },
    { toolCalls: [list], gate: seen },
    { text: 'done', delayMs: 300 },
  ]);
  const id = await h.spawn({ task, tuning: { localModelCallMs: 500, modelHeartbeatTimeoutSeconds: 5 } });
  // While the adopted call runs, its heartbeats reach the server, as any queued call's do.
  const handle = h.client.workflow.getHandle(agentWorkflowId(id));
  await until(
    async () => (await handle.describe()).raw.pendingActivities ?? [],
    (pending) =>
      pending.some(
        (a) => a.activityType?.name === 'callModel' && (a.heartbeatDetails?.payloads?.length ?? 0) > 0,
      ),
    'a heartbeat of the adopted call',
    10_000,
    50,
  );
  h.model.openGate(seen);
  const result = await waitForAgent(h.client, id);
  expect(result).toMatchObject({ status: 'completed', result: 'done' });
  const events = await history(agentWorkflowId(id));
  const calls = events.flatMap((e) => {
    const a = e.activityTaskScheduledEventAttributes;
    if (a?.activityType?.name !== 'callModel') return [];
    const [input] = a.input!.payloads!.map((p) => JSON.parse(Buffer.from(p.data!).toString()));
    return [{ queue: a.taskQueue!.name, adopt: typeof input.adopt === 'string' }];
  });
  // Call 1 was short and local. Call 2 started locally, ran past 500 ms, and a queued call on
  // the agent's own queue adopted it; call 3 followed a slow call, so it went to the queue.
  expect(calls).toEqual([
    { queue: h.taskQueue, adopt: true },
    { queue: h.taskQueue, adopt: false },
  ]);
  // Each call reached the model once: the adopter did not make call 2 again.
  expect(h.requestsFor(task).map((r) => r.turn)).toEqual([0, 1, 2]);
});

test("the Web UI's details show an agent's progress during a long tool call, and a finished swarm's outcome", async () => {
  // The tool call runs until the test has read the details: it waits for a file the test writes.
  const cwd = await h.tempDir();
  const task = h.script([
    {
      toolCalls: [
        {
          name: 'bash',
          input: { command: 'for i in $(seq 600); do [ -e read ] && break; sleep 0.05; done' },
        },
      ],
    },
    { text: 'waited' },
  ]);
  const id = await h.spawn({ task, cwd });
  await waitForStatus(h.client, id, (v) => v.toolCalls === 1);
  expect(await details(agentWorkflowId(id))).toMatch(/iterations 1 · tool calls 1/);
  await writeFile(path.join(cwd, 'read'), '');
  await waitForAgent(h.client, id);
  expect(await details(agentWorkflowId(id))).toMatch(/^\*\*completed\*\*/);

  const swarm = await h.swarm({ strategy: 'parallel', task: h.script([{ text: 'a' }]), agents: [{}, {}] });
  await waitForSwarm(h.client, swarm);
  expect(await details(swarmWorkflowId(swarm))).toMatch(
    /^\*\*completed\*\* · parallel swarm · 2 agents \(2 completed\)/,
  );
  expect((await agentStatus(h.client, `${swarm}.1`)).status).toBe('completed');
});
