/**
 * Background subagents: `task` with `background: true` returns at once, the parent goes on and
 * hears of the child's end as a message; task_output, task_cancel and task_list read and steer
 * them; limits hold; nothing outlives its parent; a worker restart loses nothing.
 */
import { randomUUID } from 'node:crypto';
import {
  agentEvents,
  agentStatus,
  agentTranscript,
  controlAgent,
  waitForAgent,
} from '../src/temporal/agents';
import type { ContentBlock } from '../src/domain';
import { useHarness, waitForStatus } from './helpers/harness';
import { until } from './helpers/poll';
import { replayClosedRuns } from './helpers/replay';

const h = useHarness({ own: true }); // a test stops and restarts its worker
// Tests that only touch agents of their own run at the same time (test.concurrent); a plain
// `test` says why it runs alone.

const newId = () => `bg${randomUUID().slice(0, 8)}`;
const background = (prompt: string, description = 'background work') => ({
  name: 'task',
  input: { description, prompt, background: true },
});
const call = (name: string, input: Record<string, unknown> = {}) => ({ name, input });
/** A child that takes `steps` model turns of `delayMs` each, then answers `text`. */
const slowChild = (steps: number, delayMs: number, text: string) =>
  h.script([
    ...Array.from({ length: steps }, () => ({ toolCalls: [call('list_files')], delayMs })),
    { text },
  ]);
/** The same, its turns at once, the first waiting at a gate of its own until `open()`. */
function gatedChild(steps: number, text: string) {
  const gate = `bg-child-${randomUUID()}`;
  const task = h.script([
    ...Array.from({ length: steps }, (_, i) => ({ toolCalls: [call('list_files')], ...(i ? {} : { gate }) })),
    { text },
  ]);
  return { task, open: () => h.model.openGate(gate) };
}
/** Wait until the agent whose task is `task` has asked the model for its turn `turn` (from 0). */
const asked = (task: string, turn: number) =>
  until(
    async () => h.requestsFor(task).some((r) => r.turn === turn),
    (yes) => yes,
    `the model asked for turn ${turn}`,
  );

const blocks = async (id: string): Promise<ContentBlock[]> =>
  (await agentTranscript(h.client, id)).filter((m) => m.role === 'user').flatMap((m) => m.content);
const toolResults = async (id: string) =>
  (await blocks(id)).filter(
    (b): b is Extract<ContentBlock, { type: 'tool_result' }> => b.type === 'tool_result',
  );
const userTexts = async (id: string) =>
  (await blocks(id)).flatMap((b) => (b.type === 'text' ? [b.text] : []));

test.concurrent(
  'a background subagent runs while its parent goes on; its end comes as a message; task_output and task_list read it',
  async () => {
    const id = newId();
    // The child waits at its gate until the parent has made its next two calls: a parent that
    // waited for it would never make them.
    const { task: child, open } = gatedChild(5, 'the survey found 3 files');
    const parent = h.script([
      { toolCalls: [background(child, 'slow survey')] },
      { toolCalls: [call('list_files')] },
      { text: 'waiting for the survey' },
      { toolCalls: [call('task_output', { id: `${id}.1` }), call('task_list')] },
      { text: 'parent done' },
    ]);
    await h.spawn({ id, task: parent });
    await asked(parent, 2);
    open();
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'parent done' });

    // It did not wait: the parent made its next two model calls before the child's last one.
    const order = h.model.requests.map((r) =>
      parent.includes(`[${r.script}]`) ? `p${r.turn}` : child.includes(`[${r.script}]`) ? `c${r.turn}` : '',
    );
    expect(order.indexOf('p2')).toBeGreaterThan(-1);
    expect(order.indexOf('p2')).toBeLessThan(order.indexOf('c5'));

    const [started, listed, output, list] = await toolResults(id);
    expect(started).not.toHaveProperty('is_error');
    expect(started.content).toMatch(
      new RegExp(`^started subagent ${id}\\.1 \\("slow survey"\\) in the background`),
    );
    expect(listed).not.toHaveProperty('is_error');
    // The finish message arrived after the turn that ended with "waiting", and started the next.
    expect(await userTexts(id)).toContain(`[subagent ${id}.1 finished: completed] the survey found 3 files`);
    expect(output.content).toMatch(
      new RegExp(`^\\[subagent ${id}\\.1 completed · ended \\S+\\]\\nthe survey found 3 files$`),
    );
    expect(list.content).toMatch(
      new RegExp(`^${id}\\.1 · completed · background · "slow survey" · started \\S+ · ended \\S+$`),
    );

    const view = await agentStatus(h.client, id);
    expect(view.children).toEqual([
      expect.objectContaining({
        id: `${id}.1`,
        background: true,
        status: 'completed',
        endedAt: expect.any(String),
      }),
    ]);
    expect(view.subagents).toEqual([`${id}.1`]);
    // Its work counts in the parent's totals, as a waited-for subagent's does.
    expect(view.totals).toMatchObject({ agents: 2, iterations: 5 + 6 });
    const events = await agentEvents(h.client, id);
    expect(events).toContainEqual(
      expect.objectContaining({ type: 'message', from: `${id}.1`, kind: 'result' }),
    );
  },
);

test.concurrent(
  'task_cancel stops one background subagent, then all the others; the parent hears each end',
  async () => {
    const id = newId();
    const parent = h.script(
      [
        {
          toolCalls: [
            background(h.busyTask(300), 'first'),
            background(h.busyTask(300), 'second'),
            background(h.busyTask(300), 'third'),
          ],
        },
        { toolCalls: [call('task_cancel', { id: `${id}.1`, reason: 'not needed' })] },
        { toolCalls: [call('task_cancel', { all: true, reason: 'done here' })] },
        { text: 'all stopped' },
      ],
      { repeatLast: true },
    );
    await h.spawn({ id, task: parent });
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'all stopped' });

    const [, , , one, all] = await toolResults(id);
    expect(one.content).toMatch(new RegExp(`^cancel sent to ${id}\\.1;`));
    expect(all.content).toMatch(new RegExp(`^cancel sent to (${id}\\.2, ${id}\\.3|${id}\\.3, ${id}\\.2);`));
    for (const [n, reason] of [
      [1, 'not needed'],
      [2, 'done here'],
      [3, 'done here'],
    ] as const) {
      const child = await agentStatus(h.client, `${id}.${n}`);
      expect(child.status).toBe('cancelled');
      const stop = (await agentEvents(h.client, `${id}.${n}`)).find(
        (e) => e.type === 'status' && e.to === 'cancelled',
      );
      expect(stop).toMatchObject({ reason: `cancelled by ${id}: ${reason}` });
      expect(await userTexts(id)).toContain(`[subagent ${id}.${n} finished: cancelled] cancelled: ${reason}`);
    }
    expect((await agentStatus(h.client, id)).children?.map((c) => c.status)).toEqual([
      'cancelled',
      'cancelled',
      'cancelled',
    ]);
  },
);

test.concurrent(
  'unknown ids and bad arguments are tool errors the model sees, and maxSubagents still holds',
  async () => {
    const id = newId();
    const child = h.script([{ text: 'quick one' }]);
    const parent = h.script(
      [
        { toolCalls: [background(child), background(child)] },
        {
          toolCalls: [
            call('task_output', { id: 'nobody' }),
            call('task_cancel', {}),
            call('task_cancel', { id: `${id}.1`, all: true }),
            call('task_output', { id: `${id}.1`, wait: true }),
          ],
        },
        { text: 'done' },
      ],
      { repeatLast: true },
    );
    await h.spawn({ id, task: parent, limits: { maxSubagents: 1 } });
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'done' });
    const [first, second, unknown, empty, both, waited] = await toolResults(id);
    expect(first).not.toHaveProperty('is_error');
    expect(second).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/started its 1 subagents \(maxSubagents\)/),
    });
    expect(unknown).toEqual(
      expect.objectContaining({ is_error: true, content: `no subagent "nobody" of yours; yours: ${id}.1` }),
    );
    expect(empty).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/^invalid arguments for task_cancel: .*give either id or all/s),
    });
    expect(both).toMatchObject({ is_error: true, content: expect.stringMatching(/give either id or all/) });
    expect(waited.content).toMatch(/quick one$/);
    expect((await agentStatus(h.client, id)).subagents).toEqual([`${id}.1`]);
  },
);

test.concurrent('an interactive parent waiting for input wakes for the finish message', async () => {
  const id = newId();
  const { task: child, open } = gatedChild(3, 'child says hi');
  const parent = h.script([
    { toolCalls: [background(child)] },
    { text: 'started it; ask me anything' },
    { text: 'the child said hi' },
  ]);
  await h.spawn({ id, task: parent, type: 'interactive' });
  // Waiting for a person while its child works, not "running".
  const waiting = await waitForStatus(h.client, id, (v) => v.status === 'waiting_for_input');
  expect(waiting.children?.[0]).toMatchObject({ status: 'running', background: true });
  open();
  const woken = await waitForStatus(
    h.client,
    id,
    (v) => v.status === 'waiting_for_input' && v.iterations === 3,
  );
  expect(woken.result).toBe('the child said hi');
  expect(await userTexts(id)).toContain(`[subagent ${id}.1 finished: completed] child says hi`);
  await controlAgent(h.client, id, 'cancel');
});

test.concurrent(
  "a parent's end waits for its background subagent; pause reaches it; cancelling the parent cancels it",
  async () => {
    const id = newId();
    const parent = h.script([{ toolCalls: [background(h.busyTask(300))] }, { text: 'my part is done' }]);
    await h.spawn({ id, task: parent });
    await waitForStatus(h.client, `${id}.1`, (v) => v.status === 'running' && v.iterations >= 2);
    // Its turn has ended, yet it runs on while the child does.
    const parentView = await waitForStatus(h.client, id, (v) => v.iterations === 2);
    expect(parentView.status).toBe('running');
    await controlAgent(h.client, id, 'pause', { reason: 'look' });
    await waitForStatus(h.client, `${id}.1`, (v) => v.status === 'paused');
    await controlAgent(h.client, id, 'resume');
    await waitForStatus(h.client, `${id}.1`, (v) => v.status === 'running');
    await controlAgent(h.client, id, 'cancel', { reason: 'enough' });
    expect((await waitForAgent(h.client, id)).status).toBe('cancelled');
    expect((await waitForStatus(h.client, `${id}.1`, (v) => v.status === 'cancelled')).status).toBe(
      'cancelled',
    );
  },
);

// Alone: it stops the workers. Its child's calls take 700 ms rather than wait at a gate: a call
// held there would hold the worker's graceful stop for its whole 5 s.
test('a worker restart while a background subagent runs loses nothing, and the histories replay', async () => {
  const id = newId();
  const child = slowChild(4, 700, 'survived');
  const parent = h.script([
    { toolCalls: [background(child)] },
    { text: 'waiting' },
    { text: 'heard: survived' },
  ]);
  await h.spawn({ id, task: parent });
  await waitForStatus(h.client, id, (v) => v.iterations === 2 && v.children?.[0]?.status === 'running');
  await h.stopWorkers();
  await h.startWorker();
  expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'heard: survived' });
  expect(await userTexts(id)).toContain(`[subagent ${id}.1 finished: completed] survived`);
  expect(
    await replayClosedRuns(h.client, `WorkflowId="agent-${id}" OR WorkflowId="agent-${id}.1"`, 2),
  ).toEqual([]);
});

test.concurrent(
  'continue-as-new waits while a background subagent runs, then carries its record over',
  async () => {
    const id = newId();
    // The child runs until the parent has done its six steps and ended its turn: it opens then.
    const { task: child, open } = gatedChild(5, 'long one done');
    const steps = Array.from({ length: 6 }, (_, i) => ({
      toolCalls: [call('bash', { command: `echo step${i} >> log.txt` })],
    }));
    const parent = h.script([
      { toolCalls: [background(child)] },
      ...steps,
      { text: 'waiting' },
      { text: 'done' },
    ]);
    await h.spawn({ id, task: parent, tuning: { continueAsNewAfterEvents: 20 } });
    await asked(parent, 1 + steps.length);
    open();
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'done' });
    expect((await waitForAgent(h.client, `${id}.1`)).status).toBe('completed');

    const events = await agentEvents(h.client, id);
    const seqOf = (match: (e: (typeof events)[number]) => boolean) => events.filter(match).map((e) => e.seq);
    const [finished] = seqOf((e) => e.type === 'message' && e.from === `${id}.1`);
    const lastBash = Math.max(...seqOf((e) => e.type === 'tool_result' && e.tool === 'bash'));
    const continued = seqOf((e) => e.type === 'continued_as_new');
    // The history passed its limit during the bash steps, with the child running: no continue-as-new
    // until the child had ended; then one, which kept the child's record.
    expect(finished).toBeGreaterThan(lastBash);
    expect(continued.length).toBeGreaterThanOrEqual(1);
    expect(Math.min(...continued)).toBeGreaterThan(finished);
    expect((await agentStatus(h.client, id)).children).toEqual([
      expect.objectContaining({ id: `${id}.1`, status: 'completed', background: true }),
    ]);
  },
);
