import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { agentStatus, agentEvents, agentTranscript, waitForAgent } from '../src/temporal/agents';
import { startHarness, type Harness } from './helpers/harness';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.close());

describe('the agent loop', () => {
  test('an agent writes a file, runs it, fixes it and reports the result', async () => {
    const task = h.script([
      { text: 'I will write the script.', toolCalls: [{ name: 'write_file', input: { path: 'hello.sh', content: 'echo helo\n' } }] },
      { toolCalls: [{ name: 'bash', input: { command: 'bash hello.sh' } }] },
      { toolCalls: [{ name: 'edit_file', input: { path: 'hello.sh', old_string: 'helo', new_string: 'hello' } }] },
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
