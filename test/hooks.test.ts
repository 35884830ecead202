/**
 * Hooks in a running agent: context injected from AGENTS.md and README.md, tool.before
 * blocking and rewriting calls, tool.after rewriting and truncating outputs in priority
 * order, session hooks (created, idle with the todo check, error, recovered), and the
 * secrets redactor keeping a planted key out of the workflow history and the model.
 */
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import type { HookRule } from '../src/domain';
import { agentEvents, agentTranscript, waitForAgent } from '../src/temporal/agents';
import { useHarness } from './helpers/harness';

const h = useHarness();

async function toolResults(id: string): Promise<string[]> {
  return (await agentTranscript(h.client, id)).flatMap((m) =>
    m.content.filter((b) => b.type === 'tool_result').map((b) => (b as { content: string }).content),
  );
}

async function hookEvents(id: string): Promise<string[]> {
  return (await agentEvents(h.client, id)).flatMap((e) =>
    e.type === 'hook' ? [`${e.hook} ${e.event}: ${e.note}`] : [],
  );
}

/** Every string in a history, payloads decoded: what Temporal keeps. */
function historyText(value: unknown): string {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('utf8');
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(historyText).join('\n');
  if (value && typeof value === 'object') return Object.values(value).map(historyText).join('\n');
  return '';
}

test('context.inject: AGENTS.md, README.md and a user rule reach the system prompt, in priority order', async () => {
  const cwd = await h.tempDir();
  await writeFile(path.join(cwd, 'AGENTS.md'), 'Indent with tabs.');
  await writeFile(path.join(cwd, 'README.md'), '# Widget\nA widget factory.');
  const task = h.script([{ text: 'noted' }]);
  const rules: HookRule[] = [
    { on: 'context.inject', name: 'house-style', text: 'Answer in British English.' },
  ];
  const id = await h.spawn({ task, cwd, systemPrompt: 'You are a test agent.', hooks: { rules } });
  await waitForAgent(h.client, id);
  expect(h.requestsFor(task)[0].system).toBe(
    'You are a test agent.\n\nProject notes from AGENTS.md:\nIndent with tabs.\n\n' +
      'Project notes from README.md:\n# Widget\nA widget factory.\n\nAnswer in British English.',
  );

  const off = h.script([{ text: 'noted' }]);
  const plain = await h.spawn({ task: off, cwd, systemPrompt: 'Plain.', hooks: { contextFiles: false } });
  await waitForAgent(h.client, plain);
  expect(h.requestsFor(off)[0].system).toBe('Plain.');
});

test('tool.before blocks a call with a message or rewrites its arguments; tool.after hooks run in priority order', async () => {
  const rules: HookRule[] = [
    {
      on: 'tool.before',
      name: 'no-network',
      tool: 'bash',
      match: 'curl',
      block: 'the network is off in this sandbox',
    },
    {
      on: 'tool.before',
      name: 'rewrite',
      tool: 'bash',
      match: '^echo original$',
      set: { command: 'echo a-rewritten' },
    },
    // Registered later but lower priority first: a→b, then b→c. The other order would leave b.
    { on: 'tool.after', name: 'second', priority: 20, replace: { pattern: 'b-', with: 'c-' } },
    { on: 'tool.after', name: 'first', priority: 10, replace: { pattern: 'a-', with: 'b-' } },
  ];
  const task = h.script([
    { toolCalls: [{ name: 'bash', input: { command: 'curl https://example.com' } }] },
    { toolCalls: [{ name: 'bash', input: { command: 'echo original' } }] },
    { text: 'ok' },
  ]);
  const id = await h.spawn({ task, hooks: { rules } });
  await waitForAgent(h.client, id);
  expect(await toolResults(id)).toEqual([
    'blocked by the no-network hook: the network is off in this sandbox',
    'exit code 0\nc-rewritten',
  ]);
  expect(await hookEvents(id)).toEqual([
    'no-network tool.before: blocked bash: the network is off in this sandbox',
    'rewrite tool.before: modified the arguments of bash',
    'first tool.after: modified the output of bash',
    'second tool.after: modified the output of bash',
  ]);
});

test('the output truncation hook cuts long outputs before they reach the model and the history', async () => {
  const cwd = await h.tempDir();
  await writeFile(path.join(cwd, 'big.txt'), 'line of text\n'.repeat(2000));
  const task = h.script([{ toolCalls: [{ name: 'read_file', input: { path: 'big.txt' } }] }, { text: 'ok' }]);
  const id = await h.spawn({ task, cwd, hooks: { truncateOutputChars: 1000 } });
  await waitForAgent(h.client, id);
  const [output] = await toolResults(id);
  expect(output.length).toBeLessThan(1200);
  expect(output).toMatch(/chars cut by the truncate-output hook/);
});

test('session hooks: created sends a message, the todo check sends an agent with open todos back once, error notes the failure', async () => {
  const rules: HookRule[] = [
    { on: 'session.created', name: 'greeting', message: 'Remember: small commits.' },
    { on: 'session.error', name: 'pager', note: 'paged the on-call person' },
  ];
  const task = h.script([
    { toolCalls: [{ name: 'todo', input: { todos: [{ content: 'write tests', status: 'pending' }] } }] },
    { text: 'I stop here' },
    { text: 'the tests are left because the spec is unclear' },
  ]);
  const id = await h.spawn({ task, hooks: { rules } });
  const result = await waitForAgent(h.client, id);
  expect(result).toMatchObject({
    status: 'completed',
    result: 'the tests are left because the spec is unclear',
  });
  const transcript = await agentTranscript(h.client, id);
  expect(transcript[0].content.map((b) => (b as { text: string }).text)).toEqual([
    expect.stringContaining('scripted task'),
    'Remember: small commits.',
  ]);
  const nudge = transcript[4].content.map((b) => (b as { text: string }).text).join('');
  expect(nudge).toContain('You ended your turn with 1 open todo(s):\n- [pending] write tests');
  expect(h.requestsFor(task)).toHaveLength(3); // sent back once, not twice
  expect(await hookEvents(id)).toEqual(['todo-check session.idle: sent back: 1 open todo(s)']);

  const failing = h.script([{ text: 'x', errors: [{ status: 400, message: 'bad request' }] }]);
  const failed = await h.spawn({ task: failing, hooks: { rules } });
  expect(await waitForAgent(h.client, failed)).toMatchObject({
    status: 'failed',
    error: expect.stringContaining('bad request'),
  });
  expect(await hookEvents(failed)).toEqual(['pager session.error: paged the on-call person']);
});

test('session.recovered runs when a model call succeeds after a failed attempt', async () => {
  const rules: HookRule[] = [
    {
      on: 'session.recovered',
      name: 'recheck',
      note: 'recovered',
      message: 'You were interrupted: check your last step.',
    },
  ];
  const task = h.script([{ text: 'first', errors: [{ status: 529 }] }, { text: 'checked' }]);
  const id = await h.spawn({ task, hooks: { rules } });
  expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'checked' });
  expect(await hookEvents(id)).toEqual(['recheck session.recovered: recovered']);
  expect(h.requestsFor(task).map((r) => `${r.turn}:${r.attempt}:${r.status}`)).toEqual([
    '0:1:529',
    '0:2:200',
    '1:1:200',
  ]);
});

test('the secrets redactor keeps a planted key out of the history, the model and the transcript', async () => {
  const secret = 'sk-ant-api03-PLANTEDsecretVALUE0123456789abcdef';
  const cwd = await h.tempDir();
  await writeFile(path.join(cwd, '.env'), `ANTHROPIC_API_KEY=${secret}\nDEBUG=1\n`);
  await writeFile(path.join(cwd, 'AGENTS.md'), `Deploy with key ${secret}.`);
  const task = h.script([
    {
      toolCalls: [
        { name: 'read_file', input: { path: '.env' } },
        { name: 'grep', input: { pattern: 'sk-ant' } },
      ],
    },
    { toolCalls: [{ name: 'bash', input: { command: 'cat .env; printenv PLANTED' } }] },
    { text: 'found the settings' },
  ]);
  const id = await h.spawn({ task, cwd });
  await waitForAgent(h.client, id);

  const history = await h.client.workflow.getHandle(`agent-${id}`).fetchHistory();
  const text = historyText(history);
  expect(text).toContain('[REDACTED:anthropic-key]');
  expect(text).toContain('DEBUG=1'); // the rest of the file is there
  expect(text).not.toContain('PLANTEDsecretVALUE');
  for (const request of h.requestsFor(task)) expect(request.system).not.toContain('PLANTEDsecretVALUE');
  expect(JSON.stringify(await agentTranscript(h.client, id))).not.toContain('PLANTEDsecretVALUE');
  expect(JSON.stringify(await agentEvents(h.client, id))).not.toContain('PLANTEDsecretVALUE');
  expect((await toolResults(id))[0]).toContain('ANTHROPIC_API_KEY=[REDACTED:anthropic-key]');
});
