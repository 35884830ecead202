/**
 * More than one worker on a queue: a second worker process shares a swarm's agents with the
 * suite's in-process worker, and when it is killed the remaining worker finishes every agent,
 * with no replacement started (crash.test.ts covers a crashed sole worker and its replacement).
 */
import { temporal } from '@temporalio/proto';
import { agentWorkflowId, modelQueue } from '../src/domain';
import { waitForSwarm } from '../src/temporal/swarms';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

// Its workers are killed: a namespace of its own, so that they hold no other suite's store.
const h = useHarness({ ownNamespace: true });
const { TaskQueueKind, TaskQueueType, TimeoutType } = temporal.api.enums.v1;
const AGENTS = 20;

/** An agent of a few turns: list_files each turn but the last; the model takes `delayMs` a turn. */
const agentTask = (n: number, turns: number, delayMs: number) =>
  h.script([
    ...Array.from({ length: turns - 1 }, () => ({
      toolCalls: [{ name: 'list_files', input: {} }],
      delayMs,
    })),
    { text: `agent ${n} done`, delayMs },
  ]);

const parallel = (tasks: string[]) =>
  h.swarm({ strategy: 'parallel', task: 'unused', merge: 'all', agents: tasks.map((task) => ({ task })) });

const pidOf = (identity: string | null | undefined) => Number((identity ?? '').split('@')[0]);

async function pollerPids(queue: string, type: temporal.api.enums.v1.TaskQueueType): Promise<number[]> {
  const { pollers } = await h.client.workflowService.describeTaskQueue({
    namespace: h.namespace,
    taskQueue: { name: queue, kind: TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: type,
  });
  return (pollers ?? []).map((p) => pidOf(p.identity));
}

/** Wait until the worker of process `pid` polls for workflow tasks and for model calls (its start loads the workflow bundle and connects: slow on a busy machine). */
async function waitUntilPolling(pid: number): Promise<void> {
  const polls = async () => {
    const [workflows, models] = await Promise.all([
      pollerPids(h.taskQueue, TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
      pollerPids(modelQueue(h.taskQueue), TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    ]);
    return workflows.includes(pid) && models.includes(pid);
  };
  await until(polls, (yes) => yes, `the worker process ${pid} polling`, 90_000);
}

interface AgentRun {
  /** The pid of the worker that started each workflow task, in order. */
  workflowTasks: number[];
  /** The pid of the worker that ran each queued activity (its last attempt). */
  activities: number[];
  /** Local activities (short model calls, tools): run by the worker of their workflow task. */
  localActivities: number;
  /** Workflow tasks that timed out: how the dead worker's tasks came back. */
  timedOut: string[];
  closed: boolean;
}

async function agentRun(agentId: string): Promise<AgentRun> {
  const history = await h.client.workflow.getHandle(agentWorkflowId(agentId)).fetchHistory();
  const events = history.events ?? [];
  return {
    workflowTasks: events
      .filter((e) => e.workflowTaskStartedEventAttributes)
      .map((e) => pidOf(e.workflowTaskStartedEventAttributes!.identity)),
    activities: events
      .filter((e) => e.activityTaskStartedEventAttributes)
      .map((e) => pidOf(e.activityTaskStartedEventAttributes!.identity)),
    localActivities: events.filter(
      (e) => e.markerRecordedEventAttributes?.markerName === 'core_local_activity',
    ).length,
    timedOut: events
      .filter((e) => e.workflowTaskTimedOutEventAttributes)
      .map((e) => TimeoutType[e.workflowTaskTimedOutEventAttributes!.timeoutType ?? 0]),
    closed: events.some((e) => e.workflowExecutionCompletedEventAttributes),
  };
}

const tally = (xs: string[]) =>
  Object.fromEntries([...new Set(xs)].map((x) => [x, xs.filter((y) => y === x).length]));
const count = (pids: number[], pid: number) => pids.filter((p) => p === pid).length;

// One second process for both tests (its start is the slow part on a busy machine): the first
// shares a swarm with it, the second kills it.
let second: WorkerProcess;
beforeAll(async () => {
  second = startWorkerProcess(h);
  await waitUntilPolling(second.child.pid!);
}, 120_000);
afterAll(() => second?.stop());

test('a second worker process on the same queue shares the load: a swarm of 20 agents runs on both', async () => {
  const other = second.child.pid!;
  const tasks = Array.from({ length: AGENTS }, (_, i) => agentTask(i + 1, 3, 200));
  const started = Date.now();
  const id = await parallel(tasks);
  const out = await waitForSwarm(h.client, id);
  const seconds = (Date.now() - started) / 1000;

  expect(out.status).toBe('completed');
  expect(out.agents.map((a) => `${a.status}:${a.result}`)).toEqual(
    tasks.map((_, i) => `completed:agent ${i + 1} done`),
  );
  expect(out.stats.toolCalls).toBe(AGENTS * 2);

  const runs = await Promise.all(out.agents.map((a) => agentRun(a.id)));
  const workflowTasks = runs.flatMap((r) => r.workflowTasks);
  const activities = runs.flatMap((r) => r.activities);
  // Both processes ran agents' workflow tasks, and no one else did.
  expect(new Set(workflowTasks)).toEqual(new Set([process.pid, other]));
  // Model calls and tools ran as local activities, in the worker of their workflow task; any
  // queued activity ran on these two as well.
  expect(runs.every((r) => r.localActivities >= 3)).toBe(true);
  expect(new Set([...workflowTasks, ...activities])).toEqual(new Set([process.pid, other]));
  const agentsOn = (pid: number) => runs.filter((r) => r.workflowTasks.includes(pid)).length;
  console.log(
    `${AGENTS} agents in ${seconds.toFixed(1)}s; workflow tasks: in process ${count(workflowTasks, process.pid)}` +
      ` (${agentsOn(process.pid)} agents), second process ${count(workflowTasks, other)} (${agentsOn(other)} agents);` +
      ` activities: in process ${count(activities, process.pid)}, second process ${count(activities, other)}`,
  );
});

test('kill -9 of one of two workers mid-swarm: the remaining worker finishes every agent without a replacement', async () => {
  const killed = second.child.pid!;
  const tasks = Array.from({ length: AGENTS }, (_, i) => agentTask(i + 1, 5, 300));
  const id = await parallel(tasks);
  const ids = tasks.map((_, i) => `${id}.${i + 1}`);

  // Wait until the second worker is running agents that still have turns to go.
  const onSecond = await until(
    async () => {
      const runs = await Promise.all(ids.map((a) => agentRun(a).catch(() => undefined)));
      return ids.filter((_, i) => runs[i] && !runs[i].closed && runs[i].workflowTasks.includes(killed));
    },
    (onSecond) => onSecond.length >= 2,
    'the second worker running agents that still have turns to go',
  );
  const killedAt = Date.now();
  second.kill9();

  const out = await waitForSwarm(h.client, id);
  const seconds = (Date.now() - killedAt) / 1000;
  expect(out.status).toBe('completed');
  expect(out.agents.map((a) => `${a.status}:${a.result}`)).toEqual(
    tasks.map((_, i) => `completed:agent ${i + 1} done`),
  );

  const runs = await Promise.all(ids.map(agentRun));
  // Agents the killed worker had been running were finished by the one that remained.
  const takenOver = ids.filter((_, i) => {
    const wft = runs[i].workflowTasks;
    return wft.includes(killed) && wft[wft.length - 1] === process.pid;
  });
  expect(takenOver.length).toBeGreaterThanOrEqual(1);
  console.log(
    `kill -9 of one of two workers → swarm of ${AGENTS} completed ${seconds.toFixed(1)}s later;` +
      ` ${onSecond.length} agents running on it at the kill, ${takenOver.length} finished by the other worker;` +
      ` workflow tasks timed out: ${JSON.stringify(tally(runs.flatMap((r) => r.timedOut)))}`,
  );
});
