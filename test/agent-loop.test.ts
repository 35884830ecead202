import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  agentEvents,
  agentStatus,
  agentTranscript,
  controlAgent,
  waitForAgent,
} from '../src/temporal/agents';
import { DEFAULT_LIMITS } from '../src/domain';
import { useHarness, waitForStatus } from './helpers/harness';

const h = useHarness();

describe('the agent loop', () => {
  test('an agent writes a file, runs it, fixes it and reports the result', async () => {
    const task = h.script([
      {
        text: 'I will write the script.',
        toolCalls: [{ name: 'write_file', input: { path: 'hello.sh', content: 'echo helo\n' } }],
      },
      { toolCalls: [{ name: 'bash', input: { command: 'bash hello.sh' } }] },
      {
        toolCalls: [
          { name: 'edit_file', input: { path: 'hello.sh', old_string: 'helo', new_string: 'hello' } },
        ],
      },
      { toolCalls: [{ name: 'bash', input: { command: 'bash hello.sh' } }] },
      { text: 'Done: hello.sh prints hello.' },
    ]);
    const id = await h.spawn({ task });
    const result = await waitForAgent(h.client, id);

    expect(result.status).toBe('completed');
    expect(result.result).toBe('Done: hello.sh prints hello.');
    expect(result.metrics.iterations).toBe(5);
    expect(result.metrics.toolCalls).toBe(4);
    expect(result.metrics.tokens.input).toBeGreaterThan(0);
    expect(result.artifacts).toEqual(['hello.sh']);
    const view = await agentStatus(h.client, id);
    expect(await readFile(path.join(view.cwd, 'hello.sh'), 'utf8')).toBe('echo hello\n');

    const results = (await agentEvents(h.client, id)).filter((e) => e.type === 'tool_result');
    expect(results.map((e) => e.type === 'tool_result' && e.output)).toEqual([
      'wrote 10 chars to hello.sh',
      'exit code 0\nhelo',
      'replaced 1 occurrence(s) in hello.sh',
      'exit code 0\nhello',
    ]);
    const transcript = await agentTranscript(h.client, id);
    expect(transcript).toHaveLength(10);
    expect(transcript[0]).toEqual({ role: 'user', content: [{ type: 'text', text: task }] });
  });
});

test('every activity carries a one-line summary for the Web UI timeline; fast reads run locally', async () => {
  const task = h.script([
    {
      toolCalls: [
        { name: 'bash', input: { command: 'echo hi' } },
        { name: 'grep', input: { pattern: 'hi', path: 'src' } },
      ],
    },
    { text: 'ok' },
  ]);
  // A generous threshold: the first call counts as short however busy the machine is.
  const id = await h.spawn({ task, model: 'claude-test-model', tuning: { localModelCallMs: 5000 } });
  await waitForAgent(h.client, id);
  const history = await h.client.workflow.getHandle(`agent-${id}`).fetchHistory();
  // Local activities (reads: no server round trip) are markers in the history, with the same
  // summary; the patch marker of the first local call has none.
  const summaries = (history.events ?? [])
    .filter(
      (e) =>
        e.activityTaskScheduledEventAttributes ||
        (e.markerRecordedEventAttributes && e.markerRecordedEventAttributes.markerName !== 'core_patch'),
    )
    .map(
      (e) =>
        `${e.markerRecordedEventAttributes ? 'local' : 'activity'}: ` +
        JSON.parse(Buffer.from(e.userMetadata?.summary?.data ?? []).toString('utf8') || '""'),
    );
  expect(summaries).toEqual([
    'local: read AGENTS.md and README.md',
    // Model calls start locally (the fast path); bash, which has a side effect, is queued.
    'local: model call 1 · claude-test-model',
    'activity: $ echo hi',
    'local: /hi/ in src',
    'local: model call 2 · claude-test-model',
  ]);
});

describe('tools in the loop', () => {
  test('a tool error goes back to the model as an error result and the agent carries on', async () => {
    const task = h.script([
      {
        toolCalls: [
          { name: 'read_file', input: { path: '../../etc/passwd' } },
          { name: 'read_file', input: { path: '/etc/passwd' } },
          { name: 'no_such_tool', input: {} },
          { name: 'write_file', input: { path: 'x.txt' } },
        ],
      },
      { text: 'I could not read it.' },
    ]);
    const id = await h.spawn({ task });
    const result = await waitForAgent(h.client, id);
    expect(result.status).toBe('completed');
    const transcript = await agentTranscript(h.client, id);
    const toolResults = transcript[2].content;
    expect(toolResults).toEqual([
      expect.objectContaining({
        is_error: true,
        content: expect.stringMatching(/leaves the working directory/),
      }),
      expect.objectContaining({ is_error: true, content: expect.stringMatching(/absolute path/) }),
      expect.objectContaining({
        is_error: true,
        content: expect.stringMatching(/unknown tool "no_such_tool"/),
      }),
      expect.objectContaining({
        is_error: true,
        content: expect.stringMatching(/invalid arguments for write_file/),
      }),
    ]);
  });

  test('independent read-only calls run side by side; calls with side effects run in order', async () => {
    const task = h.script([
      {
        toolCalls: [
          { name: 'write_file', input: { path: 'a.txt', content: 'A' } },
          { name: 'bash', input: { command: 'cat a.txt > b.txt' } },
          { name: 'read_file', input: { path: 'a.txt' } },
          { name: 'read_file', input: { path: 'b.txt' } },
          { name: 'list_files', input: {} },
        ],
      },
      { text: 'ok' },
    ]);
    const id = await h.spawn({ task });
    await waitForAgent(h.client, id);
    const events = await agentEvents(h.client, id);
    // The three reads are all started before any of them reports: one batch.
    const order = events
      .filter((e) => e.type === 'tool_call' || e.type === 'tool_result')
      .map((e) => `${e.type}:${'tool' in e ? e.tool : ''}`);
    expect(order).toEqual([
      'tool_call:write_file',
      'tool_result:write_file',
      'tool_call:bash',
      'tool_result:bash',
      'tool_call:read_file',
      'tool_call:read_file',
      'tool_call:list_files',
      'tool_result:read_file',
      'tool_result:read_file',
      'tool_result:list_files',
    ]);
    const transcript = await agentTranscript(h.client, id);
    expect(transcript[2].content.map((b) => (b.type === 'tool_result' ? b.content : ''))).toEqual([
      'wrote 1 chars to a.txt',
      'exit code 0',
      '     1\tA',
      '     1\tA',
      'a.txt\nb.txt',
    ]);
  });

  test('events stay small: a large tool argument is kept as a preview, the transcript has it whole', async () => {
    const content = 'x'.repeat(50_000);
    const task = h.script([
      { toolCalls: [{ name: 'write_file', input: { path: 'big.txt', content } }] },
      { text: 'ok' },
    ]);
    const id = await h.spawn({ task });
    await waitForAgent(h.client, id);
    const call = (await agentEvents(h.client, id)).find((e) => e.type === 'tool_call');
    expect(call).toMatchObject({
      tool: 'write_file',
      input: expect.stringMatching(/^\{"path":"big.txt","content":"x+… \[\d+ more chars\]$/),
    });
    expect(JSON.stringify(call).length).toBeLessThan(3000);
    const transcript = await agentTranscript(h.client, id);
    expect(transcript[1].content[0]).toMatchObject({ type: 'tool_use', input: { path: 'big.txt', content } });
  });

  test('the todo tool keeps the plan in the workflow state', async () => {
    const task = h.script([
      {
        toolCalls: [
          {
            name: 'todo',
            input: {
              todos: [
                { content: 'write tests', status: 'in_progress' },
                { content: 'ship', status: 'pending' },
              ],
            },
          },
        ],
      },
      { text: 'planned' },
    ]);
    // The todo check would send it back about its open todos; that is the hooks suite's business.
    const id = await h.spawn({ task, hooks: { todoCheck: false } });
    await waitForAgent(h.client, id);
    expect((await agentStatus(h.client, id)).todos).toEqual([
      { content: 'write tests', status: 'in_progress' },
      { content: 'ship', status: 'pending' },
    ]);
    const transcript = await agentTranscript(h.client, id);
    expect(transcript[2].content[0]).toMatchObject({ content: '[~] write tests\n[ ] ship' });
  });

  test('a tool the agent was not given is refused, and the model is only offered its tools', async () => {
    const task = h.script([{ toolCalls: [{ name: 'bash', input: { command: 'echo hi' } }] }, { text: 'ok' }]);
    const id = await h.spawn({ task, tools: ['read_file', 'list_files'] });
    await waitForAgent(h.client, id);
    const transcript = await agentTranscript(h.client, id);
    expect(transcript[2].content[0]).toMatchObject({
      is_error: true,
      content: expect.stringMatching(/unknown tool "bash"; available: read_file, list_files/),
    });
    const seen = h.model.requests.filter((r) => r.script && task.includes(r.script));
    expect(seen[0].tools).toEqual(['read_file', 'list_files']);
  });
});

describe('limits', () => {
  const loopForever = () =>
    h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }], { repeatLast: true });

  test('maxIterations ends the agent as failed with a reason naming the limit', async () => {
    const id = await h.spawn({ task: loopForever(), limits: { maxIterations: 3 } });
    const result = await waitForAgent(h.client, id);
    expect(result.status).toBe('failed');
    expect(result.error).toBe('limit reached: maxIterations (3)');
    expect(result.metrics.iterations).toBe(3);
    // Its view says what it ran under: the limit given, the defaults for the rest.
    expect((await agentStatus(h.client, id)).limits).toEqual({ ...DEFAULT_LIMITS, maxIterations: 3 });
  });

  test('maxToolCalls ends the agent as failed', async () => {
    const id = await h.spawn({ task: loopForever(), limits: { maxToolCalls: 2 } });
    const result = await waitForAgent(h.client, id);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^limit reached: maxToolCalls \(2\)/);
    expect(result.metrics.toolCalls).toBe(2);
  });

  test('maxTokens ends the agent as failed before the next model call', async () => {
    const id = await h.spawn({ task: loopForever(), limits: { maxTokens: 100 } });
    const result = await waitForAgent(h.client, id);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^limit reached: maxTokens \(100\); used \d+/);
    expect(result.metrics.iterations).toBeGreaterThanOrEqual(1);
  });

  test('maxContextChars ends the agent before its conversation outgrows a Temporal payload', async () => {
    const task = h.script([{ toolCalls: [{ name: 'bash', input: { command: 'seq 1 2000' } }] }], {
      repeatLast: true,
    });
    const id = await h.spawn({ task, limits: { maxContextChars: 20_000 } });
    const result = await waitForAgent(h.client, id);
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^limit reached: maxContextChars \(20000\); the conversation has \d+/);
    expect(result.metrics.iterations).toBeGreaterThanOrEqual(2);
  });

  test('the failure carries the metrics and Temporal records the run as failed', async () => {
    const id = await h.spawn({ task: loopForever(), limits: { maxIterations: 1 } });
    await expect(agentHandleResult(id)).rejects.toMatchObject({
      cause: { message: 'limit reached: maxIterations (1)', type: 'AgentFailed' },
    });
    const description = await h.client.workflow.getHandle(`agent-${id}`).describe();
    expect(description.status.name).toBe('FAILED');
  });
});

describe('long runs', () => {
  test('an agent continues as new before its history grows large and keeps its state', async () => {
    const turns = Array.from({ length: 8 }, (_, i) => ({
      toolCalls: [{ name: 'bash', input: { command: `echo step${i} >> log.txt` } }],
    }));
    const task = h.script([...turns, { text: 'all steps done' }]);
    const id = await h.spawn({ task, tuning: { continueAsNewAfterEvents: 20 } });
    const result = await waitForAgent(h.client, id);
    expect(result.status).toBe('completed');
    expect(result.metrics).toMatchObject({ iterations: 9, toolCalls: 8 });
    const events = await agentEvents(h.client, id);
    expect(events.filter((e) => e.type === 'continued_as_new').length).toBeGreaterThanOrEqual(2);
    // Sequence numbers run on across runs, without gaps.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const view = await agentStatus(h.client, id);
    expect(await readFile(path.join(view.cwd, 'log.txt'), 'utf8')).toBe(
      turns.map((_, i) => `step${i}\n`).join(''),
    );
    expect((await agentTranscript(h.client, id)).length).toBe(18);
  });
});

describe('interactive agents', () => {
  test('after replying, an interactive agent waits for input and continues with the next message', async () => {
    const task = h.script([{ text: 'Hello! What next?' }, { text: 'Done with the follow-up.' }]);
    const id = await h.spawn({ task, type: 'interactive' });
    await waitForStatus(h.client, id, (v) => v.status === 'waiting_for_input');
    expect((await agentStatus(h.client, id)).result).toBe('Hello! What next?');
    await controlAgent(h.client, id, 'message', { content: 'please follow up' });
    const view = await waitForStatus(
      h.client,
      id,
      (v) => v.status === 'waiting_for_input' && v.iterations === 2,
    );
    expect(view.result).toBe('Done with the follow-up.');
    const transcript = await agentTranscript(h.client, id);
    expect(transcript.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    expect(transcript[2].content).toEqual([{ type: 'text', text: 'please follow up' }]);
    await controlAgent(h.client, id, 'cancel', { reason: 'done talking' });
    expect((await waitForAgent(h.client, id)).status).toBe('cancelled');
  });

  test('an agent spawned without a task is idle until its first message', async () => {
    const marker = h.script([{ text: 'got it' }]);
    const id = await h.spawn({ task: '', type: 'interactive' });
    expect((await waitForStatus(h.client, id, (v) => v.status === 'idle')).iterations).toBe(0);
    await controlAgent(h.client, id, 'message', { content: marker });
    const view = await waitForStatus(h.client, id, (v) => v.status === 'waiting_for_input');
    expect(view).toMatchObject({ result: 'got it', task: marker });
    await controlAgent(h.client, id, 'cancel');
  });
});

function agentHandleResult(id: string) {
  return h.client.workflow.getHandle(`agent-${id}`).result();
}
