/**
 * `npm run bench`, part "history": how big an agent's history gets, and whether its bytes per
 * turn stay flat as the conversation grows. One agent of 50 turns (one list_files call each,
 * then a final text; 0 ms model), and the minimal Temporal loop doing the same as the baseline
 * (it sends the whole conversation in every model activity's input: it grows with the square
 * of the turns). Events are attributed to turns by the model calls: an ActivityTaskScheduled of
 * callModel, or a local activity's MarkerRecorded naming callModel, starts the next turn.
 */
import type { Client } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { agentWorkflowId } from '../../src/domain';
import { spawnAgent, waitForAgent } from '../../src/temporal/agents';
import { startMinimalWorker } from './minimal';
import { addRow, kib, times } from './report';
import { withServer } from './server';

const TURNS = 50;
const WINDOW = 10;
const FLAT = 1.25;
const MODEL_ACTIVITY = 'callModel';

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;
const { EventType } = temporal.api.enums.v1;
const { History, HistoryEvent } = temporal.api.history.v1;

interface Sizes {
  runs: number;
  events: number;
  bytes: number;
  modelCalls: number;
  largestEvent: number;
  firstPerTurn: number;
  lastPerTurn: number;
}

/** Every run of the workflow, oldest first, following continue-as-new back to the first. */
async function fullHistory(client: Client, workflowId: string): Promise<HistoryEvent[][]> {
  const runs: HistoryEvent[][] = [];
  let runId: string | undefined;
  for (;;) {
    const history = await client.workflow.getHandle(workflowId, runId).fetchHistory();
    const events = history.events ?? [];
    runs.unshift(events);
    runId = events[0]?.workflowExecutionStartedEventAttributes?.continuedExecutionRunId ?? undefined;
    if (!runId) return runs;
  }
}

function isModelCall(e: HistoryEvent): boolean {
  if (e.eventType === EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
    return e.activityTaskScheduledEventAttributes?.activityType?.name === MODEL_ACTIVITY;
  if (e.eventType === EventType.EVENT_TYPE_MARKER_RECORDED) {
    // A local activity's marker: its "data" detail is JSON naming the activity_type.
    const data = e.markerRecordedEventAttributes?.details?.data?.payloads?.[0]?.data;
    if (!data) return false;
    try {
      return (
        (JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: string }).activity_type ===
        MODEL_ACTIVITY
      );
    } catch {
      return false;
    }
  }
  return false;
}

async function sizes(client: Client, workflowId: string): Promise<Sizes> {
  const runs = await fullHistory(client, workflowId);
  const events = runs.flat();
  const perTurn: number[] = [0]; // [0]: before the first model call
  let largestEvent = 0;
  for (const e of events) {
    if (isModelCall(e)) perTurn.push(0);
    const size = HistoryEvent.encode(e).finish().length;
    largestEvent = Math.max(largestEvent, size);
    perTurn[perTurn.length - 1] += size;
  }
  const modelCalls = perTurn.length - 1;
  // The last model call ends the agent (its text, the completion): compare whole tool turns.
  const toolTurns = perTurn.slice(1, modelCalls);
  const window = Math.min(WINDOW, Math.floor(toolTurns.length / 2));
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return {
    runs: runs.length,
    events: events.length,
    bytes: runs.reduce((sum, r) => sum + History.encode({ events: r }).finish().length, 0),
    modelCalls,
    largestEvent,
    firstPerTurn: mean(toolTurns.slice(0, window)),
    lastPerTurn: mean(toolTurns.slice(toolTurns.length - window)),
  };
}

export async function historySize(): Promise<void> {
  await withServer({}, async (h, cwd) => {
    const minimal = await startMinimalWorker(h);
    const task = () => {
      const turn = { toolCalls: [{ name: 'list_files', input: {} }] };
      return h.script([...Array.from({ length: TURNS }, () => turn), { text: 'done' }], { task: 'bench' });
    };
    try {
      const { id } = await spawnAgent(h.client, h.defaults, {
        task: task(),
        cwd,
        limits: { maxIterations: 2 * TURNS },
      });
      const result = await waitForAgent(h.client, id);
      if (result.status !== 'completed')
        throw new Error(`bench agent ${id} ${result.status}: ${result.error}`);
      const agent = await sizes(h.client, agentWorkflowId(id));
      const floor = await sizes(h.client, await minimal.run(task(), cwd));

      console.log(
        `\nhistory of one agent of ${TURNS} turns (one list_files call each, then a final text; 0 ms model)`,
      );
      console.log(
        `what                  | runs | events | model calls | history bytes | largest event | per turn, turns 1-${WINDOW} | per turn, last ${WINDOW} | growth`,
      );
      for (const [what, s] of [
        ['minimal Temporal loop', floor],
        ['Orchestra agent', agent],
      ] as const) {
        console.log(
          `${what.padEnd(21)} | ${String(s.runs).padStart(4)} | ${String(s.events).padStart(6)} | ${String(s.modelCalls).padStart(11)} |` +
            ` ${kib(s.bytes).padStart(13)} | ${kib(s.largestEvent).padStart(13)} | ${kib(s.firstPerTurn).padStart(20)} |` +
            ` ${kib(s.lastPerTurn).padStart(17)} | ${times(s.lastPerTurn / s.firstPerTurn)}`,
        );
      }
      if (agent.runs > 1) console.log(`  the agent continued as new: ${agent.runs} runs, counted together`);
      for (const [what, s] of [
        ['the minimal loop', floor],
        ['the agent', agent],
      ] as const)
        if (s.modelCalls !== TURNS + 1)
          console.log(
            `  note: ${s.modelCalls} model calls found in the history of ${what}, not ${TURNS + 1}`,
          );

      const cont = agent.runs > 1 ? ` (${agent.runs} runs: continued as new)` : '';
      addRow({
        figure: `history of a ${TURNS}-turn agent (one list_files per turn), total bytes${cont}`,
        baseline: `minimal loop ${kib(floor.bytes)}`,
        orchestra: kib(agent.bytes),
        ratio: times(agent.bytes / floor.bytes),
        target: '—',
      });
      const growth = agent.lastPerTurn / agent.firstPerTurn;
      addRow({
        figure: `history bytes per turn of that agent, turns 1-${WINDOW} → ${TURNS - WINDOW + 1}-${TURNS}`,
        baseline: `minimal loop ${kib(floor.firstPerTurn)} → ${kib(floor.lastPerTurn)} (${times(floor.lastPerTurn / floor.firstPerTurn)})`,
        orchestra: `${kib(agent.firstPerTurn)} → ${kib(agent.lastPerTurn)} (${times(growth)})`,
        ratio: times(agent.lastPerTurn / floor.lastPerTurn),
        target: `flat: last / first ≤ ${FLAT}x`,
        met: growth <= FLAT,
      });
    } finally {
      await minimal.stop();
    }
  });
}
