/** The model activity against the scripted server, through the real Anthropic SDK. */
import Anthropic from '@anthropic-ai/sdk';
import { retryAfterMs } from '../activities/model-errors';
import { agentEvents, waitForAgent } from '../src/temporal/agents';
import { startScriptedServer } from '../src/llm/scripted-server';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();

const requestsFor = (task: string) =>
  h.model.requests.filter((r) => r.script && task.includes(`[${r.script}]`));

describe('retries', () => {
  test('a 429 with retry-after is retried after the delay it asks for, and then succeeds', async () => {
    const task = h.script([{ text: 'finally', errors: [{ status: 429, retryAfter: 2 }] }]);
    const started = Date.now();
    const result = await waitForAgent(h.client, await h.spawn({ task }));
    expect(result).toMatchObject({ status: 'completed', result: 'finally' });
    expect(requestsFor(task).map((r) => r.status)).toEqual([429, 200]);
    // The activity's own backoff starts at 1s; only retry-after explains 2s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(2000);
  });

  test('529 overloaded and 500 are retried with backoff until the model answers', async () => {
    const task = h.script([{ text: 'recovered', errors: [{ status: 529 }, { status: 500 }] }]);
    const result = await waitForAgent(h.client, await h.spawn({ task }));
    expect(result).toMatchObject({ status: 'completed', result: 'recovered' });
    expect(requestsFor(task).map((r) => r.status)).toEqual([529, 500, 200]);
  });

  test('a 400 fails at once with a message that says what was wrong', async () => {
    const task = h.script([
      { text: 'never', errors: [{ status: 400, message: 'max_tokens: must be at most 64000' }] },
    ]);
    const result = await waitForAgent(h.client, await h.spawn({ task }));
    expect(result.status).toBe('failed');
    expect(result.error).toBe(
      'model call failed: the request was invalid (400 invalid_request_error max_tokens: must be at most 64000)',
    );
    expect(requestsFor(task)).toHaveLength(1);
  });

  test('a 401 fails at once and points at ANTHROPIC_API_KEY', async () => {
    const task = h.script([{ text: 'never', errors: [{ status: 401, message: 'invalid x-api-key' }] }]);
    const result = await waitForAgent(h.client, await h.spawn({ task }));
    expect(result.error).toMatch(
      /authentication failed: check ANTHROPIC_API_KEY \(401 authentication_error invalid x-api-key\)/,
    );
    expect(requestsFor(task)).toHaveLength(1);
  });

  test('token usage accumulates per agent and is reported as events', async () => {
    const task = h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: 'done' }]);
    const id = await h.spawn({ task });
    const result = await waitForAgent(h.client, id);
    const tokens = (await agentEvents(h.client, id)).filter((e) => e.type === 'tokens');
    expect(tokens).toHaveLength(2);
    const sum = tokens.reduce((acc, e) => acc + (e.type === 'tokens' ? e.input : 0), 0);
    expect(result.metrics.tokens.input).toBe(sum);
    expect(tokens[1]).toMatchObject({ totalInput: sum, totalOutput: result.metrics.tokens.output });
  });
});

describe('retry-after parsing', () => {
  test('seconds, milliseconds and HTTP dates', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '3' }))).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '250', 'retry-after': '3' }))).toBe(250);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 5_000)).toBe(5000);
    expect(retryAfterMs(new Headers({}))).toBeUndefined();
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
  });
});

describe('the scripted server speaks the Messages API', () => {
  test('non-streaming and streaming replies, tool_use included, read by the real SDK', async () => {
    const server = await startScriptedServer({
      scripts: [
        {
          name: 'plain',
          turns: [{ text: 'Let me look.', toolCalls: [{ name: 'grep', input: { pattern: 'TODO' } }] }],
        },
      ],
    });
    try {
      const sdk = new Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
      const params = { model: 'm', max_tokens: 100, messages: [{ role: 'user' as const, content: 'hi' }] };
      const plain = await sdk.messages.create(params);
      const streamed = sdk.messages.stream(params);
      const deltas: string[] = [];
      streamed.on('text', (t) => deltas.push(t));
      const final = await streamed.finalMessage();
      for (const message of [plain, final]) {
        expect(message.stop_reason).toBe('tool_use');
        expect(message.content).toEqual([
          { type: 'text', text: 'Let me look.' },
          {
            type: 'tool_use',
            id: expect.stringMatching(/^toolu_scripted_\d+_0$/),
            name: 'grep',
            input: { pattern: 'TODO' },
          },
        ]);
        expect(message.usage.output_tokens).toBeGreaterThan(0);
      }
      expect(deltas.join('')).toBe('Let me look.');
      expect(server.requests.map((r) => r.stream)).toEqual([false, true]);
    } finally {
      await server.stop();
    }
  });

  test('when several scripts match, the one added last wins; one without match is the fallback', async () => {
    const server = await startScriptedServer({
      scripts: [
        { name: 'fallback', turns: [{ text: 'fallback' }] },
        { name: 'broad', match: 'fix', turns: [{ text: 'broad' }] },
      ],
    });
    server.addScript({ name: 'narrow', match: 'fix the test', turns: [{ text: 'narrow' }] });
    const sdk = new Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
    const ask = async (content: string) => {
      const reply = await sdk.messages.create({
        model: 'm',
        max_tokens: 10,
        messages: [{ role: 'user', content }],
      });
      return reply.content[0].type === 'text' ? reply.content[0].text : undefined;
    };
    try {
      expect(await ask('please fix the test')).toBe('narrow');
      expect(await ask('fix the build')).toBe('broad');
      expect(await ask('write docs')).toBe('fallback');
    } finally {
      await server.stop();
    }
  });

  test('a step at a gate is answered once the gate opens, and at once after; a reset lets waiters go', async () => {
    const server = await startScriptedServer({
      scripts: [{ name: 'held', match: 'held', turns: [{ text: 'let through', gate: 'g' }] }],
    });
    const sdk = new Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
    const ask = () =>
      sdk.messages.create({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'held' }] });
    try {
      let answered = false;
      const first = ask().then((reply) => ((answered = true), reply));
      await until(
        async () => server.requests.length,
        (n) => n === 1,
        'the call at the gate',
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(answered).toBe(false);
      server.openGate('g');
      expect((await first).content).toEqual([{ type: 'text', text: 'let through' }]);
      expect((await ask()).content).toEqual([{ type: 'text', text: 'let through' }]);
      // Closed again by a reset: a call waits, and the next reset (a suite's end) lets it go.
      server.reset();
      server.addScript({ name: 'held', match: 'held', turns: [{ text: 'again', gate: 'g' }] });
      const waiting = ask();
      await until(
        async () => server.requests.length,
        (n) => n === 1,
        'the call at the closed gate',
      );
      server.reset();
      expect((await waiting).content).toEqual([{ type: 'text', text: 'again' }]);
    } finally {
      await server.stop();
    }
  });

  test('a step with a textGate streams the first half of its text, and the rest once the gate opens', async () => {
    const text = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen';
    const server = await startScriptedServer({
      scripts: [{ name: 'writing', match: 'writing', turns: [{ text, textGate: 'w' }] }],
    });
    const sdk = new Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
    try {
      let received = '';
      const stream = sdk.messages.stream({
        model: 'm',
        max_tokens: 10,
        messages: [{ role: 'user', content: 'writing' }],
      });
      stream.on('text', (piece) => (received += piece));
      // 80 characters are 4 chunks of 24 or fewer: the first two arrive, then nothing until the gate opens.
      await until(
        async () => received,
        (r) => r.length > 0,
        'the first half of the text',
      );
      await new Promise((r) => setTimeout(r, 300));
      expect(received).toBe(text.slice(0, 48));
      server.openGate('w');
      expect((await stream.finalMessage()).content).toEqual([{ type: 'text', text }]);
      expect(received).toBe(text);
    } finally {
      await server.stop();
    }
  });

  test('no key is a 401, an unknown conversation a clear 400', async () => {
    const server = await startScriptedServer({
      scripts: [{ name: 'only', match: 'needle', turns: [{ text: 'x' }] }],
    });
    try {
      const res = await fetch(`${server.url}/v1/messages`, { method: 'POST', body: '{}' });
      expect(res.status).toBe(401);
      const sdk = new Anthropic({ apiKey: 'k', baseURL: server.url, maxRetries: 0 });
      await expect(
        sdk.messages.create({
          model: 'm',
          max_tokens: 10,
          messages: [{ role: 'user', content: 'haystack' }],
        }),
      ).rejects.toMatchObject({
        status: 400,
        message: expect.stringMatching(/no script matches this conversation/),
      });
    } finally {
      await server.stop();
    }
  });
});
