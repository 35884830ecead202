/** The pure rules behind the speed work: context digests, when to report, when to checkpoint, a worker's slots, which workflow bundle a worker takes. */
import {
  afterStep,
  chainDigest,
  checkpointDue,
  digestOf,
  EMPTY_DIGEST,
  nextContext,
  plannedAgents,
  reportDue,
  reportEvery,
  type ConversationMessage,
  type SwarmSpec,
} from '../src/domain';
import { ContextCache } from '../activities/model-context';
import { HandedOffCalls } from '../activities/model-handoff';
import { within } from '../src/within';
import { finalReport, swarmDetails } from '../workflows/swarm/report';
import { SwarmUsage } from '../workflows/swarm/usage';
import * as bundles from '../workers/bundles';
import {
  bundledFiles,
  bundleIsCurrent,
  SHARED_MODULES,
  WORKFLOWS_PATH,
  workflowCode,
} from '../workers/bundles';
import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const user = (text: string): ConversationMessage => ({ role: 'user', content: [{ type: 'text', text }] });
const bot = (text: string): ConversationMessage => ({ role: 'assistant', content: [{ type: 'text', text }] });

describe('model context', () => {
  test('a digest names a conversation: the same messages, the same digest; any change, another', () => {
    const conv = [user('a'), bot('b'), user('c')];
    expect(chainDigest(EMPTY_DIGEST, conv)).toBe(
      chainDigest(chainDigest(EMPTY_DIGEST, conv.slice(0, 2)), conv.slice(2)),
    );
    expect(chainDigest(EMPTY_DIGEST, conv)).not.toBe(
      chainDigest(EMPTY_DIGEST, [user('a'), bot('b'), user('C')]),
    );
    expect(digestOf('x')).toMatch(/^[0-9a-z]{11}$/);
  });

  test('the next call sends what follows the last one, and the system prompt only when it changed', () => {
    const conv = [user('task'), bot('one'), user('result')];
    const first = nextContext(conv.slice(0, 1), 'system', undefined);
    expect(first).toMatchObject({ messages: [user('task')], system: 'system' });
    expect(first.base).toBeUndefined();
    const sent = { count: 1, digest: first.digest, systemDigest: first.systemDigest };
    const second = nextContext(conv, 'system', sent);
    expect(second).toMatchObject({ base: { count: 1, digest: first.digest }, messages: conv.slice(1) });
    expect(second.system).toBeUndefined();
    expect(second.digest).toBe(chainDigest(EMPTY_DIGEST, conv));
    expect(nextContext(conv, 'another system', sent).system).toBe('another system');
  });

  test('a worker holds what it was sent, serves a retry, and knows when it lacks the base', () => {
    const cache = new ContextCache();
    const conv = [user('task'), bot('one'), user('result')];
    const first = nextContext(conv.slice(0, 1), 'sys', undefined);
    expect(cache.resolve('a', first)).toEqual({ system: 'sys', messages: conv.slice(0, 1) });
    const sent = { count: 1, digest: first.digest, systemDigest: first.systemDigest };
    const second = nextContext(conv, 'sys', sent);
    expect(cache.resolve('a', second)).toEqual({ system: 'sys', messages: conv });
    // The same call again (a retry on this worker): it holds all of it already.
    expect(cache.resolve('a', second)).toEqual({ system: 'sys', messages: conv });
    // Another agent's base, or a base this worker never saw: it must ask.
    expect(cache.resolve('b', second)).toBeUndefined();
    expect(new ContextCache().resolve('a', second)).toBeUndefined();
  });

  test("a finished agent's conversation is dropped; a later call asks the agent for it", () => {
    const cache = new ContextCache();
    const first = nextContext([user('task')], 'sys', undefined);
    cache.resolve('a', first);
    cache.resolve('b', nextContext([user('task')], 'sys', undefined));
    cache.forget('a');
    expect(cache.size).toBe(1);
    const sent = { count: 1, digest: first.digest, systemDigest: first.systemDigest };
    expect(
      cache.resolve('a', nextContext([user('task'), bot('done'), user('more')], 'sys', sent)),
    ).toBeUndefined();
  });

  test('a worker drops the least recently used conversations past its size', () => {
    const cache = new ContextCache(200);
    for (const agent of ['a', 'b', 'c'])
      cache.resolve(agent, nextContext([user('x'.repeat(60))], 's', undefined));
    expect(cache.size).toBeLessThan(3);
    expect(cache.resolve('c', nextContext([user('x'.repeat(60))], 's', undefined))).toBeDefined();
  });
});

describe('usage reports and checkpoints', () => {
  const last = { at: 0, tokens: 0, toolCalls: 0, status: 'running' as const };

  test("a swarm's agents report once they used a fifth of their share of its budgets", () => {
    expect(reportEvery({ maxToolCalls: 1500, maxTokens: 10_000_000 }, 100)).toEqual({
      toolCalls: 3,
      tokens: 20_000,
    });
    expect(reportEvery({ maxToolCalls: 5, maxTokens: 500 }, 2)).toEqual({ toolCalls: 1, tokens: 50 });
    const every = { toolCalls: 3, tokens: 1000 };
    expect(reportDue(last, { at: 1000, tokens: 10, toolCalls: 2, status: 'running' }, every, 10)).toBe(false);
    expect(reportDue(last, { at: 1000, tokens: 10, toolCalls: 3, status: 'running' }, every, 10)).toBe(true);
    expect(reportDue(last, { at: 1000, tokens: 1000, toolCalls: 0, status: 'running' }, every, 10)).toBe(
      true,
    );
  });

  test('anyone reports a new status at once, and otherwise every so many seconds', () => {
    expect(reportDue(last, { at: 1, tokens: 0, toolCalls: 0, status: 'paused' }, undefined, 10)).toBe(true);
    expect(reportDue(last, { at: 9_999, tokens: 5, toolCalls: 5, status: 'running' }, undefined, 10)).toBe(
      false,
    );
    expect(reportDue(last, { at: 10_000, tokens: 5, toolCalls: 5, status: 'running' }, undefined, 10)).toBe(
      true,
    );
  });

  test('the agents that share a budget are those that work at once', () => {
    const t = { task: 'x' };
    const spec = (s: Partial<SwarmSpec>) => ({ spec: { task: 'x', ...s } as SwarmSpec });
    expect(plannedAgents(spec({ strategy: 'parallel', agents: [t, t, t], merge: 'all' }))).toBe(3);
    expect(plannedAgents(spec({ strategy: 'pipeline', stages: [{ name: 'a' }, { name: 'b' }] }))).toBe(1);
    expect(plannedAgents(spec({ strategy: 'supervisor', maxConcurrent: 4, maxWorkers: 10 } as never))).toBe(
      5,
    );
  });

  test('a run of local steps adds up while steps stay local, and a queued call ends it', () => {
    const one = afterStep(undefined, { local: true, modelMs: 40, chars: 100 });
    expect(afterStep(one, { local: true, modelMs: 60, chars: 50 })).toEqual({
      steps: 2,
      modelMs: 100,
      chars: 150,
    });
    expect(afterStep(one, { local: false, modelMs: 900, chars: 10 })).toBeUndefined();
  });

  test('a run of local steps checkpoints after ten steps, 1 s of model time, or 256k characters', () => {
    expect(checkpointDue(undefined)).toBe(false);
    expect(checkpointDue({ steps: 9, modelMs: 990, chars: 1000 })).toBe(false);
    expect(checkpointDue({ steps: 10, modelMs: 0, chars: 0 })).toBe(true);
    expect(checkpointDue({ steps: 1, modelMs: 1_000, chars: 0 })).toBe(true);
    expect(checkpointDue({ steps: 1, modelMs: 0, chars: 256_000 })).toBe(true);
  });
});

test("a swarm's usage: totals move by each report's difference, an overtaken report changes nothing, the result has the last word", () => {
  const usage = new SwarmUsage();
  const report = (version: number, input: number, toolCalls: number) => ({
    agentId: 's.1',
    version,
    tokens: { input, output: 10 },
    toolCalls,
    iterations: toolCalls,
    costUsd: 0,
  });
  expect(usage.take(report(1, 100, 1))).toEqual({ before: undefined });
  expect(usage.take(report(3, 300, 3))?.before?.version).toBe(1);
  expect(usage.take(report(2, 200, 2))).toBeUndefined(); // arrived late
  expect(usage.total).toMatchObject({ tokens: { input: 300, output: 10 }, toolCalls: 3 });
  expect(usage.tokensEvent(report(4, 350, 4), usage.of('s.1'))).toMatchObject({ input: 50, output: 0 });
  const result = {
    id: 's.1',
    status: 'completed' as const,
    metrics: { durationMs: 1, tokens: { input: 400, output: 20 }, toolCalls: 4, iterations: 5, costUsd: 0.5 },
    totals: { tokens: { input: 400, output: 20 }, toolCalls: 4, iterations: 5, agents: 1, costUsd: 0.5 },
    artifacts: [],
  };
  usage.take(finalReport({ id: 's.1', name: 'a' }, result));
  expect(usage.take(report(9, 999, 9))).toBeUndefined(); // nothing overtakes the result
  expect(usage.total).toMatchObject({ tokens: { input: 400, output: 20 }, toolCalls: 4, costUsd: 0.5 });
  expect(usage.members).toEqual(new Set(['s.1']));
});

test("a big swarm's details list the running first and count the rest", () => {
  const agents = Array.from({ length: 60 }, (_, i) => ({
    id: `s.${i + 1}`,
    name: `a${i + 1}`,
    role: 'agent',
    status: i === 59 ? ('running' as const) : ('completed' as const),
    usage: { tokens: { input: 0, output: 0 }, toolCalls: 0, iterations: 0, agents: 1, costUsd: 0 },
    startedAt: '',
  }));
  const text = swarmDetails('running', 'parallel', agents);
  expect(text.split('\n')[0]).toBe('**running** · parallel swarm · 60 agents (59 completed · 1 running)');
  expect(text.split('\n')[1]).toBe('- s.60 **a60** running');
  expect(text).toMatch(/… and 10 more$/);
});

describe('workflow bundles', () => {
  test('a worker run from the sources bundles at start; one run from the build takes the built bundle', async () => {
    expect(workflowCode('agents')).toEqual({
      workflowsPath: WORKFLOWS_PATH,
      bundlerOptions: { preloadModules: SHARED_MODULES },
    });
    // `npm test` builds first.
    const built = (await import(path.join(__dirname, '..', 'dist', 'workers', 'bundles'))) as typeof bundles;
    const codePath = path.join(__dirname, '..', 'dist', 'workflow-bundles', 'ledger.js');
    expect(built.workflowCode('ledger')).toEqual({ workflowBundle: { codePath } });
  });

  test('a bundle older than any file it holds, or an input, or without its record, is not current', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'bundles-'));
    try {
      const held = path.join(dir, 'src', 'a.js');
      const input = path.join(dir, 'package.json');
      const bundle = path.join(dir, 'bundle.js');
      await mkdir(path.dirname(held));
      for (const file of [held, input, bundle]) await writeFile(file, '');
      const at = (file: string, seconds: number) => utimes(file, seconds, seconds);
      await at(held, 1_000);
      await at(input, 1_000);
      await at(bundle, 2_000);
      expect(bundleIsCurrent(bundle, [input])).toBe(false); // no record of what it holds
      await writeFile(`${bundle}.inputs.json`, JSON.stringify([held]));
      expect(bundleIsCurrent(bundle, [input])).toBe(true);
      await at(held, 3_000);
      expect(bundleIsCurrent(bundle, [input])).toBe(false);
      await at(held, 1_000);
      await at(input, 3_000);
      expect(bundleIsCurrent(bundle, [input])).toBe(false);
      await at(input, 1_000);
      await rm(held);
      expect(bundleIsCurrent(bundle, [input])).toBe(false);
      expect(bundleIsCurrent(path.join(dir, 'missing.js'), [input])).toBe(false);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  test("a bundle holds what its source map names of this package's files: each compiled one", () => {
    const map = {
      version: 3,
      sources: [
        path.resolve(__dirname, '../src/domain/status.ts'),
        path.resolve(__dirname, '../node_modules/zod/index.cjs'),
        'webpack/bootstrap',
        path.resolve(__dirname, '../dist/workflows/index-autogenerated-entrypoint.cjs'),
      ],
      mappings: '',
    };
    const code = `x;\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
    expect(bundledFiles(code)).toEqual([path.join('dist', 'src', 'domain', 'status.js')]);
  });

  test('the build records what each bundle holds: the workflows, the domain, not the CLI or the API', async () => {
    const record = path.join(__dirname, '..', 'dist', 'workflow-bundles', 'agents.js.inputs.json');
    const held = JSON.parse(await readFile(record, 'utf8')) as string[];
    expect(held).toEqual(
      expect.arrayContaining([
        path.join('dist', 'workflows', 'agent', 'workflow.js'),
        path.join('dist', 'src', 'domain', 'status.js'),
      ]),
    );
    expect(held.filter((file) => /^dist[\\/]src[\\/](cli|api)[\\/]/.test(file))).toEqual([]);
  });
});

describe('model calls handed off from local activities', () => {
  const reply = { content: [], stopReason: null, usage: { input: 1, output: 1 }, model: 'm' };
  const call = (result: Promise<typeof reply>) => {
    const aborted: unknown[] = [];
    return {
      reply: result,
      progress: { received: 0, text: '' },
      abort: (r?: unknown) => aborted.push(r),
      aborted,
    };
  };

  test('a handed-off call is adopted once, by its id', () => {
    const calls = new HandedOffCalls();
    const c = call(new Promise(() => undefined));
    calls.handOff('a', c);
    expect(calls.adopt('b')).toBeUndefined();
    expect(calls.adopt('a')).toBe(c);
    expect(calls.adopt('a')).toBeUndefined();
    expect(c.aborted).toEqual([]);
  });

  test('a call nobody adopts is aborted and dropped', async () => {
    const calls = new HandedOffCalls(20);
    const c = call(new Promise(() => undefined));
    calls.handOff('a', c);
    await new Promise((r) => setTimeout(r, 60));
    expect(calls.size).toBe(0);
    expect(String(c.aborted[0])).toMatch(/never adopted/);
  });

  test('within: the reply if it comes in time, else nothing, and the call goes on', async () => {
    await expect(within(Promise.resolve(reply), 50)).resolves.toBe(reply);
    const late = new Promise<typeof reply>((r) => setTimeout(() => r(reply), 80));
    await expect(within(late, 10)).resolves.toBeUndefined();
    await expect(late).resolves.toBe(reply);
  });
});
