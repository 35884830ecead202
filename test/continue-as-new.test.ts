/**
 * The long-lived workflows (a workspace's zones store, a session) continue as new when their
 * history grows, with their state, and every run's history replays, also when an Update was
 * refused just as the history passed its length (workflows/history-watch.ts).
 */
import { randomUUID } from 'node:crypto';
import { sessionWorkflowId, ZONES_QUEUE, zonesWorkflowId, type SessionState } from '../src/domain';
import { controlSession, sessionStatus } from '../src/temporal/sessions';
import { findingSignal } from '../workflows/protocol';
import { sessionWorkflow } from '../workflows/session/workflow';
import { Orchestra } from '../src/sdk/orchestra';
import { zonesWorkflow } from '../workflows/zones/workflow';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';
import { replayClosedRuns } from './helpers/replay';

const h = useHarness();

/** A zones store of its own, continuing as new past `afterEvents` events. */
async function store(afterEvents: number) {
  const workspace = `can-${randomUUID().slice(0, 6)}`;
  const first = await h.client.workflow.start(zonesWorkflow, {
    workflowId: zonesWorkflowId(workspace),
    taskQueue: ZONES_QUEUE,
    args: [{ workspace, zones: [], assignments: {}, continueAsNewAfterEvents: afterEvents }],
  });
  const orchestra = Orchestra.over(h.client, { ...h.defaults, workspace });
  const handle = h.client.workflow.getHandle(zonesWorkflowId(workspace));
  return { workspace, first, orchestra, handle };
}

test('the store continues as new with its zones, and its histories replay', async () => {
  const { workspace, first, orchestra, handle } = await store(20);
  const zone = await orchestra.zones.create({ name: 'one' });
  const agents = [
    await h.spawn({ task: h.script([{ text: 'ok' }]), workspace }),
    await h.spawn({ task: h.script([{ text: 'ok' }]), workspace }),
  ];
  for (let i = 0; i < 6; i++) await orchestra.zones.rename(zone.id, `one-${i}`);
  await orchestra.zones.assign(zone.id, agents);
  await orchestra.zones.unassign([agents[1]]);
  expect(await orchestra.zones.zoneOf(agents[0])).toMatchObject({ id: zone.id, name: 'one-5' });
  expect(await orchestra.zones.zoneOf(agents[1])).toBeUndefined();
  // A refused change says why, and records nothing.
  await expect(orchestra.zones.rename('abcdef12', 'x')).rejects.toMatchObject({ code: 'not_found' });
  await expect(orchestra.zones.assign(zone.id, ['no-such-agent'])).rejects.toMatchObject({
    code: 'not_found',
  });

  const latest = await handle.describe();
  expect(latest.runId).not.toBe(first.firstExecutionRunId);
  expect(await replayClosedRuns(h.client, `WorkflowId="${zonesWorkflowId(workspace)}"`)).toEqual([]);
  await handle.terminate('test done');
});

test('an Update refused past the length does not continue the store as new: the next accepted one does, and both runs replay', async () => {
  const { workspace, first, orchestra, handle } = await store(10);
  const zone = await orchestra.zones.create({ name: 'kept' });
  // Renames (each seen at two events past the history before it) until it is 8 events or
  // longer: the next workflow task, the refused rename's, is the first to see 10.
  for (let n = 0; (await handle.describe()).historyLength < 8; n++)
    await orchestra.zones.rename(zone.id, `kept-${n}`);
  await expect(orchestra.zones.rename('abcdef12', 'x')).rejects.toMatchObject({ code: 'not_found' });
  // A refused Update leaves no event behind; had it continued the store as new, the run would
  // hold a workflow task with nothing in it to replay the decision from.
  expect((await handle.describe()).runId).toBe(first.firstExecutionRunId);
  await orchestra.zones.rename(zone.id, 'kept-renamed');
  await until(
    () => handle.describe(),
    (d) => d.runId !== first.firstExecutionRunId,
    'the store continued as new',
  );
  expect(await orchestra.zones.get(zone.id, { workspaces: [workspace] })).toMatchObject({
    name: 'kept-renamed',
  });
  expect(await replayClosedRuns(h.client, `WorkflowId="${zonesWorkflowId(workspace)}"`)).toEqual([]);
  await handle.terminate('test done');
});

test('a session refused a resume past the length goes on in its run; its next finding continues it as new, with its findings', async () => {
  const id = `can-${randomUUID().slice(0, 6)}`;
  const state: SessionState = {
    ...{ id, name: id, cwd: await h.tempDir(), status: 'running', members: [], findings: [], usage: {} },
    startedAt: new Date().toISOString(),
    continueAsNewAfterEvents: 30,
  };
  const first = await h.client.workflow.start(sessionWorkflow, {
    workflowId: sessionWorkflowId(id),
    taskQueue: h.taskQueue,
    args: [state],
  });
  const handle = h.client.workflow.getHandle(sessionWorkflowId(id));
  const length = async () => (await handle.describe()).historyLength;
  // Findings, each handled in a workflow task of its own (four events), until the history is
  // 28 to 30 events long: the next workflow task is the first to see 30.
  let handled = 0;
  while ((await length()) < 28) {
    await handle.signal(findingSignal, { from: 'scout', text: `finding ${handled}` });
    handled += 1;
    await until(
      () => sessionStatus(h.client, id),
      (v) => v.findings.length === handled,
      'the finding handled',
    );
  }
  expect((await handle.describe()).runId).toBe(first.firstExecutionRunId);
  // Running, a resume is refused by its validator: nothing is recorded, and the run goes on.
  await expect(controlSession(h.client, id, 'resume', {})).rejects.toThrow();
  expect((await handle.describe()).runId).toBe(first.firstExecutionRunId);
  await handle.signal(findingSignal, { from: 'scout', text: 'the last one' });
  await until(
    () => handle.describe(),
    (d) => d.runId !== first.firstExecutionRunId,
    'the session continued as new',
  );
  const view = await sessionStatus(h.client, id);
  expect(view.findings.map((f) => f.text)).toContain('the last one');
  expect(await replayClosedRuns(h.client, `WorkflowId="${sessionWorkflowId(id)}"`)).toEqual([]);
  await handle.terminate('test done');
});
