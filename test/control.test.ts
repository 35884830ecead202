/** Pause, resume, cancel and message: every accepted transition and every refused one. */
import { randomUUID } from 'node:crypto';
import { look } from '../src/temporal/look';
import { WorkflowFailedError } from '@temporalio/client';
import {
  agentEvents,
  agentHandle,
  agentStatus,
  agentTranscript,
  controlAgent,
  InvalidTransitionError,
  waitForAgent,
} from '../src/temporal/agents';
import { pauseSignal, resumeSignal, messageSignal, cancelSignal } from '../workflows';
import { useHarness, waitForStatus } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();
// Tests that only touch agents of their own run at the same time (test.concurrent); a plain
// `test` says why it runs alone.

describe('pause and resume', () => {
  test.concurrent('a paused agent stops at the next step boundary and resumes where it stopped', async () => {
    // Step 1's model call is answered once the pause is taken: the pause surely arrives during step 1.
    const paused1 = `control-paused-${randomUUID()}`;
    const task = h.script([
      { toolCalls: [{ name: 'bash', input: { command: 'echo one >> out.txt' } }], gate: paused1 },
      { toolCalls: [{ name: 'bash', input: { command: 'echo two >> out.txt' } }] },
      { text: 'finished' },
    ]);
    // Through the queue: a local call holds the workflow task, and the pause would wait for it.
    const id = await h.spawn({ task, tuning: { localModelCallMs: 0 } });
    await waitForStatus(h.client, id, (v) => v.status === 'running');
    await controlAgent(h.client, id, 'pause', { reason: 'lunch' });
    h.model.openGate(paused1);
    const paused = await waitForStatus(
      h.client,
      id,
      (v) => v.status === 'paused' && v.iterations === 1 && v.toolCalls === 1,
    );
    expect(paused.pausedReason).toBe('lunch');
    // Nothing moves while paused.
    await new Promise((r) => setTimeout(r, 800));
    expect((await agentStatus(h.client, id)).iterations).toBe(1);
    await controlAgent(h.client, id, 'resume');
    const result = await waitForAgent(h.client, id);
    expect(result).toMatchObject({
      status: 'completed',
      result: 'finished',
      metrics: { iterations: 3, toolCalls: 2 },
    });
    // Asked as it closes, a query can wait out the server's query timeout: look() asks again (look.ts).
    const statuses = (await look(h.client, () => agentEvents(h.client, id)))
      .filter((e) => e.type === 'status')
      .map((e) => e.type === 'status' && `${e.from}>${e.to}`);
    expect(statuses).toEqual(['idle>running', 'running>paused', 'paused>running', 'running>completed']);
  });

  test.concurrent('resume with a task continues the same conversation with the new task', async () => {
    // The first call is answered once the pause is taken.
    const paused = `control-paused-${randomUUID()}`;
    const task = h.script([{ text: 'first answer', gate: paused }, { text: 'second answer' }]);
    // Through the queue: a local call holds the workflow task, so nobody could see it running.
    const id = await h.spawn({ task, tuning: { localModelCallMs: 0 } });
    await waitForStatus(h.client, id, (v) => v.status === 'running');
    await controlAgent(h.client, id, 'pause');
    h.model.openGate(paused);
    await waitForStatus(h.client, id, (v) => v.status === 'paused' && v.iterations === 1);
    await controlAgent(h.client, id, 'resume', { task: 'now do the second part' });
    const result = await waitForAgent(h.client, id);
    expect(result.result).toBe('second answer');
    const transcript = await agentTranscript(h.client, id);
    expect(transcript.map((m) => m.content[0])).toEqual([
      { type: 'text', text: task },
      { type: 'text', text: 'first answer' },
      { type: 'text', text: 'now do the second part' },
      { type: 'text', text: 'second answer' },
    ]);
  });

  test.concurrent('an idle agent can be paused and resumed back to idle', async () => {
    const id = await h.spawn({ task: '', type: 'interactive' });
    await waitForStatus(h.client, id, (v) => v.status === 'idle');
    await controlAgent(h.client, id, 'pause');
    await waitForStatus(h.client, id, (v) => v.status === 'paused');
    await controlAgent(h.client, id, 'resume');
    await waitForStatus(h.client, id, (v) => v.status === 'idle');
    await controlAgent(h.client, id, 'cancel');
  });

  test.concurrent('messages sent while running are delivered at the next step', async () => {
    // The first call is answered once the message is taken.
    const heard = `control-heard-${randomUUID()}`;
    const task = h.script([
      { toolCalls: [{ name: 'list_files', input: {} }], gate: heard },
      { text: 'read your note' },
    ]);
    // Through the queue: a local call holds the workflow task, so nobody could see it running.
    const id = await h.spawn({ task, tuning: { localModelCallMs: 0 } });
    await waitForStatus(h.client, id, (v) => v.status === 'running');
    await controlAgent(h.client, id, 'message', { content: 'also check the README' });
    h.model.openGate(heard);
    await waitForAgent(h.client, id);
    const transcript = await agentTranscript(h.client, id);
    expect(transcript[2].content).toEqual([
      expect.objectContaining({ type: 'tool_result' }),
      { type: 'text', text: 'also check the README' },
    ]);
  });
});

describe('cancel', () => {
  test.concurrent.each(['idle', 'running', 'paused', 'waiting_for_input'] as const)(
    'an agent can be cancelled from %s',
    async (from) => {
      const task =
        from === 'idle' ? '' : from === 'waiting_for_input' ? h.script([{ text: 'hi' }]) : h.busyTask(300);
      const id = await h.spawn({
        task,
        type: from === 'running' || from === 'paused' ? 'adhoc' : 'interactive',
        // Through the queue: a busy agent's local calls hold its workflow task, and each look and
        // request below would wait for it.
        tuning: { localModelCallMs: 0 },
      });
      if (from === 'paused') {
        await waitForStatus(h.client, id, (v) => v.status === 'running');
        await controlAgent(h.client, id, 'pause');
      }
      await waitForStatus(h.client, id, (v) => v.status === from);
      await controlAgent(h.client, id, 'cancel', { reason: 'changed my mind' });
      const result = await waitForAgent(h.client, id);
      expect(result.status).toBe('cancelled');
      const last = (await agentEvents(h.client, id)).pop();
      expect(last).toMatchObject({ type: 'status', to: 'cancelled', reason: 'changed my mind' });
    },
  );

  // Alone: it times the cancel.
  test('cancel during a slow model call ends the agent within about two seconds', async () => {
    const task = h.script([{ text: 'too late', delayMs: 60_000 }]);
    const id = await h.spawn({ task });
    await waitForStatus(h.client, id, () => h.model.requests.some((r) => task.includes(r.script ?? '?')));
    const started = Date.now();
    await controlAgent(h.client, id, 'cancel');
    const result = await waitForAgent(h.client, id);
    const elapsed = Date.now() - started;
    expect(result.status).toBe('cancelled');
    expect(elapsed).toBeLessThan(2500);
    // The in-flight model call was cancelled too (its HTTP request aborted), not left to run out its minute.
    await until(
      async () => h.model.requests.some((r) => task.includes(r.script ?? '?') && r.aborted),
      (aborted) => aborted,
      'the model request aborted',
      4000,
    );
  });

  test.concurrent("Temporal's own cancel ends the agent as cancelled, not failed", async () => {
    // Through the queue, as above.
    const id = await h.spawn({ task: h.busyTask(200), tuning: { localModelCallMs: 0 } });
    await waitForStatus(h.client, id, (v) => v.status === 'running');
    await agentHandle(h.client, id).cancel();
    const error = await agentHandle(h.client, id)
      .result()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkflowFailedError);
    expect((error as WorkflowFailedError).cause?.name).toBe('CancelledFailure');
    expect((await agentHandle(h.client, id).describe()).status.name).toBe('CANCELLED');
    expect((await agentStatus(h.client, id)).status).toBe('cancelled');
  });
});

describe('refused transitions', () => {
  test.concurrent.each([
    ['resume', 'running', /cannot resume: the agent is running/],
    ['pause', 'paused', /cannot pause: the agent is paused/],
    ['resume', 'completed', /cannot resume: the agent is completed, and nothing leaves completed/],
    ['pause', 'completed', /cannot pause: the agent is completed/],
    ['cancel', 'completed', /cannot cancel: the agent is completed/],
    ['message', 'completed', /cannot message: the agent is completed/],
    ['pause', 'waiting_for_input', /cannot pause: the agent is waiting_for_input/],
  ] as const)(
    '%s from %s is refused with a clear reason and changes nothing',
    async (action, from, reason) => {
      const task =
        from === 'completed'
          ? h.script([{ text: 'done' }])
          : from === 'waiting_for_input'
            ? h.script([{ text: 'hi' }])
            : h.busyTask(300);
      const id = await h.spawn({
        task,
        type: from === 'waiting_for_input' ? 'interactive' : 'adhoc',
        // Model calls through the queue: a busy agent's local calls hold its workflow task, and
        // each request and look below would wait about a second for it (control-updates and the
        // cli suite send requests to such an agent).
        tuning: { localModelCallMs: 0 },
      });
      if (from === 'paused') {
        await waitForStatus(h.client, id, (v) => v.status === 'running');
        await controlAgent(h.client, id, 'pause');
      }
      const before = await waitForStatus(h.client, id, (v) => v.status === from);
      await expect(
        controlAgent(h.client, id, action, action === 'message' ? { content: 'x' } : {}),
      ).rejects.toThrow(InvalidTransitionError);
      await expect(
        controlAgent(h.client, id, action, action === 'message' ? { content: 'x' } : {}),
      ).rejects.toThrow(reason);
      // A signal sent anyway (a race, or `temporal workflow signal`) is recorded and ignored.
      const signal = {
        pause: pauseSignal,
        resume: resumeSignal,
        cancel: cancelSignal,
        message: messageSignal,
      }[action];
      const send = agentHandle(h.client, id).signal(signal, action === 'message' ? { content: 'x' } : {});
      if (from === 'completed') {
        // Temporal itself refuses signals to a closed workflow.
        await expect(send).rejects.toThrow(/already completed/);
        return;
      }
      // A signal sent anyway (a race, or `temporal workflow signal`) is recorded and ignored.
      await send;
      const events = await waitForEvents(id, (e) => e.some((x) => x.type === 'ignored'));
      expect(events.find((e) => e.type === 'ignored')).toMatchObject({
        signal: action,
        reason: expect.stringMatching(reason),
      });
      const after = await agentStatus(h.client, id);
      expect(after.status).toBe(before.status);
      await controlAgent(h.client, id, 'cancel');
    },
  );
});

describe('bad signal payloads', () => {
  test.concurrent.each([
    ['pause', 'lunch'],
    ['pause', { reason: 42 }],
    ['resume', { task: '' }],
    ['message', {}],
    ['message', { content: 7 }],
    ['cancel', { reason: 'x', extra: true }],
    ['pause', [1, 2, 3]],
  ] as const)('%s with %j is recorded as ignored and changes nothing', async (name, payload) => {
    const id = await h.spawn({ task: '', type: 'interactive' });
    await waitForStatus(h.client, id, (v) => v.status === 'idle');
    const signal = { pause: pauseSignal, resume: resumeSignal, cancel: cancelSignal, message: messageSignal }[
      name
    ];
    await agentHandle(h.client, id).signal(signal, payload as never);
    const events = await waitForEvents(id, (e) => e.some((x) => x.type === 'ignored'));
    expect(events.find((e) => e.type === 'ignored')).toMatchObject({
      signal: name,
      reason: expect.stringMatching(/^bad payload: /),
    });
    const view = await agentStatus(h.client, id);
    expect(view).toMatchObject({ status: 'idle', pendingMessages: 0 });
    // The workflow is alive and well: it still obeys a good signal.
    await controlAgent(h.client, id, 'cancel');
    expect((await waitForAgent(h.client, id)).status).toBe('cancelled');
  });
});

const waitForEvents = (id: string, predicate: (events: Awaited<ReturnType<typeof agentEvents>>) => boolean) =>
  until(() => agentEvents(h.client, id), predicate, `the events of ${id}`, 10_000);
