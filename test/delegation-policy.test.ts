/**
 * Delegating never loosens governance: a subagent started from a registry entry runs with
 * the entry's settings, but never with more autonomy, more tools allowed, fewer deny
 * patterns, more allow patterns, secret redaction off, a bigger budget or deeper nesting
 * than the agent that started it. As pure rules, and once with a real subagent.
 */
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import {
  DEFAULT_HOOK_SETTINGS,
  DEFAULT_LIMITS,
  decideToolCall,
  delegatedGovernance,
  delegatedLimits,
  resolveBudget,
  resolvePolicy,
  stricterPolicy,
  type Governance,
  type OrchestraFile,
} from '../src/domain';
import { agentEvents, agentStatus, waitForAgent } from '../src/temporal/agents';
import { useHarness } from './helpers/harness';

const governance = (over: Partial<Governance> = {}): Governance => ({
  policy: resolvePolicy(),
  budget: resolveBudget(),
  hooks: DEFAULT_HOOK_SETTINGS,
  ...over,
});

describe('a subagent from a registry entry is never looser than its parent', () => {
  test('a tool the parent denies or asks about stays so, whatever the entry says', () => {
    const parent = resolvePolicy({ autonomy: 'semi', tools: { bash: 'deny' } });
    const child = stricterPolicy(
      parent,
      resolvePolicy({ autonomy: 'full', tools: { bash: 'allow', write_file: 'allow', grep: 'ask' } }, parent),
    );
    expect(child.autonomy).toBe('semi');
    expect(child.tools).toEqual({ bash: 'deny', write_file: 'ask', grep: 'ask' });
    expect(decideToolCall(child, 'bash', { command: 'ls' }).decision).toBe('deny');
    expect(decideToolCall(child, 'write_file', {}).decision).toBe('ask');
    // Under a fully autonomous parent the entry may allow, and may always be stricter.
    const full = resolvePolicy();
    expect(
      stricterPolicy(full, resolvePolicy({ tools: { bash: 'allow', grep: 'deny' } }, full)).tools,
    ).toEqual({
      bash: 'allow',
      grep: 'deny',
    });
  });

  test("deny patterns add up; the entry's allow patterns count only where the parent runs bash without asking", () => {
    const parent = resolvePolicy({ autonomy: 'semi', bashDeny: ['curl'], bashAllow: ['^npm test$'] });
    const child = stricterPolicy(
      parent,
      resolvePolicy({ bashDeny: ['wget'], bashAllow: ['.*', '^ls$'] }, parent),
    );
    expect(child.bashDeny).toEqual(expect.arrayContaining(['curl', 'wget']));
    expect(child.bashAllow).toEqual(['^npm test$']);
    expect(decideToolCall(child, 'bash', { command: 'rm -r build' }).decision).toBe('ask');
    expect(decideToolCall(child, 'bash', { command: 'npm test' }).decision).toBe('allow');
    const free = resolvePolicy({ autonomy: 'full' });
    expect(
      stricterPolicy(free, resolvePolicy({ autonomy: 'semi', bashAllow: ['^ls$'] }, free)).bashAllow,
    ).toEqual(['^ls$']);
  });

  test('the bash sandbox and approval timeouts are the stricter of the two', () => {
    const parent = resolvePolicy({
      bashNetwork: false,
      bashUnsandboxed: 'deny',
      approvalTimeoutSeconds: 600,
      timeoutDecision: 'allow',
    });
    const loose = resolvePolicy(
      { bashNetwork: true, bashUnsandboxed: 'allow', approvalTimeoutSeconds: 5, timeoutDecision: 'allow' },
      parent,
    );
    expect(stricterPolicy(parent, loose)).toMatchObject({
      bashNetwork: false,
      bashUnsandboxed: 'deny',
      approvalTimeoutSeconds: 600,
      timeoutDecision: 'allow',
    });
    const denying = resolvePolicy({ timeoutDecision: 'deny', approvalTimeoutSeconds: 60 });
    expect(
      stricterPolicy(
        denying,
        resolvePolicy({ timeoutDecision: 'allow', approvalTimeoutSeconds: 1 }, denying),
      ),
    ).toMatchObject({ timeoutDecision: 'deny', approvalTimeoutSeconds: 1 });
  });

  test('redaction stays on, secret patterns add up, budgets and nesting only shrink', () => {
    const parent = governance({
      budget: resolveBudget({ agentUsd: 1, dailyUsd: 10 }),
      hooks: { ...DEFAULT_HOOK_SETTINGS, secretPatterns: ['ORD-\\d+'] },
    });
    const child = delegatedGovernance(parent, {
      policy: { autonomy: 'full' },
      budget: { agentUsd: 100 },
      hooks: { redactSecrets: false, secretPatterns: ['INV-\\d+'] },
    });
    expect(child.hooks).toMatchObject({ redactSecrets: true, secretPatterns: ['ORD-\\d+', 'INV-\\d+'] });
    expect(child.budget).toMatchObject({ agentUsd: 1, dailyUsd: 10 });
    expect(delegatedGovernance(governance(), { budget: { agentUsd: 2 } }).budget.agentUsd).toBe(2);
    const parentLimits = { ...DEFAULT_LIMITS, maxDepth: 1, maxSubagents: 2 };
    expect(
      delegatedLimits(parentLimits, {
        maxDepth: 10,
        maxSubagents: 100,
        maxTokens: 10 ** 9,
        maxIterations: 7,
      }),
    ).toEqual({
      ...parentLimits,
      maxIterations: 7,
    });
  });
});

const FILE: OrchestraFile = {
  agents: {
    loose: {
      description: 'Asks for everything its parent was denied',
      systemPrompt: 'You do what you are told.',
      tools: ['bash', 'read_file'],
      policy: { autonomy: 'full', tools: { bash: 'allow' }, bashAllow: ['.*'], bashNetwork: true },
      hooks: { redactSecrets: false },
    },
  },
};

describe('a real subagent', () => {
  const h = useHarness({ file: FILE });

  test("started from a looser entry, it keeps its parent's denied bash and secret redaction", async () => {
    const cwd = await h.tempDir();
    const key = 'sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789';
    await writeFile(path.join(cwd, 'env.txt'), `ANTHROPIC_API_KEY=${key}\n`);
    const child = h.script([
      { toolCalls: [{ name: 'bash', input: { command: 'echo hi' } }] },
      { toolCalls: [{ name: 'read_file', input: { path: 'env.txt' } }] },
      { text: 'child done' },
    ]);
    const parent = h.script([
      { toolCalls: [{ name: 'task', input: { description: 'loosen', prompt: child, agent: 'loose' } }] },
      { text: 'parent done' },
    ]);
    const id = await h.spawn({ task: parent, cwd, policy: { tools: { bash: 'deny' } } });
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed' });
    expect(await agentStatus(h.client, `${id}.1`)).toMatchObject({ profile: 'loose', status: 'completed' });
    const results = (await agentEvents(h.client, `${id}.1`)).flatMap((e) =>
      e.type === 'tool_result' ? [e] : [],
    );
    expect(results[0]).toMatchObject({
      tool: 'bash',
      ok: false,
      output: expect.stringContaining('bash is denied'),
    });
    expect(results[1]).toMatchObject({ tool: 'read_file', ok: true });
    expect(results[1].output).not.toContain(key);
    expect(results[1].output).toContain('[REDACTED');
  });
});
