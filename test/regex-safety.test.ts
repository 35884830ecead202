/**
 * Patterns and inputs that could stop a worker: a user's regular expression that backtracks
 * catastrophically is refused where it is written (the config file, a spawn request), an agent
 * that carries one anyway does not take its worker down, the secrets redactor runs in linear
 * time on hostile text, and edit_file cannot multiply a file past a bound.
 */
import { mkdtemp, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import {
  agentWorkflowId,
  buildHooks,
  decideToolCall,
  DEFAULT_BASH_DENY,
  DEFAULT_HOOK_SETTINGS,
  hookSettingsSchema,
  policyRequestSchema,
  redactSecrets,
  regexHazard,
  resolveAgentConfig,
  resolvePolicy,
  type ToolOutcome,
} from '../src/domain';
import { parseOrchestraFile } from '../src/config-file';
import { agentSearchAttributes } from '../src/domain/search-attributes';
import { agentEvents, spawnAgent, waitForAgent } from '../src/temporal/agents';
import { editFile } from '../activities/tools/files';
import { useHarness } from './helpers/harness';

const CATASTROPHIC = ['^(a+)+$', '(\\w+\\s?)+$', '(a|a)+$', '(a|ab)*c', '(a?a)+$', '(x+x+)+y', '(\\d+)*$'];
const FINE = [
  ...DEFAULT_BASH_DENY,
  '(-\\S+\\s+)*',
  '(\\d{3})+',
  '(foo|bar)+',
  '(\\s+\\w+)*',
  '^npm (test|run \\w+)$',
  'curl.*\\|\\s*sh',
  'ORD-\\d{4}-\\d{6}',
];

describe('a user pattern that can backtrack catastrophically', () => {
  test('is refused with the pattern named and the reason given; ordinary patterns pass', () => {
    for (const p of CATASTROPHIC) expect([p, regexHazard(p)]).toEqual([p, expect.any(String)]);
    for (const p of FINE) expect([p, regexHazard(p)]).toEqual([p, undefined]);
    const refused = policyRequestSchema.safeParse({ bashDeny: ['^(a+)+$'] });
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]).toMatchObject({
      path: ['bashDeny', 0],
      message: expect.stringMatching(
        /^the pattern \/\^\(a\+\)\+\$\/ can take exponential time to match \(catastrophic backtracking\): nested quantifier: a\+ is repeated/,
      ),
    });
  });

  test('is refused in every place a user writes one: bash lists, hook rules, secret patterns, the config file', () => {
    expect(policyRequestSchema.safeParse({ bashAllow: ['(a|ab)*c'] }).success).toBe(false);
    const hooks = hookSettingsSchema.partial();
    expect(hooks.safeParse({ secretPatterns: ['(\\d+)*$'] }).success).toBe(false);
    expect(
      hooks.safeParse({ rules: [{ on: 'tool.before', name: 'x', match: '(a+)+', block: 'no' }] }).success,
    ).toBe(false);
    expect(
      hooks.safeParse({
        rules: [{ on: 'tool.after', name: 'x', replace: { pattern: '(\\w+\\s?)+', with: '' } }],
      }).success,
    ).toBe(false);
    const file = JSON.stringify({
      agents: { x: { description: 'x', systemPrompt: 'x', policy: { bashDeny: ['^(a+)+$'] } } },
    });
    expect(() => parseOrchestraFile(file, 'f.json')).toThrow(
      /agents\.x\.policy\.bashDeny\.0: the pattern \/\^\(a\+\)\+\$\/ can take exponential time/,
    );
  });

  test('run anyway (an agent started before the check) is never run: a deny pattern denies, the others are skipped', () => {
    const policy = { ...resolvePolicy(), bashDeny: ['^(a+)+$'], bashAllow: ['(a|a)+$'] };
    const started = Date.now();
    const verdict = decideToolCall(policy, 'bash', { command: `${'a'.repeat(34)}!` });
    expect(verdict).toEqual({
      decision: 'deny',
      reason: 'the deny pattern /^(a+)+$/ is unsafe to run; fix the policy',
    });
    const hooks = buildHooks({
      ...DEFAULT_HOOK_SETTINGS,
      secretPatterns: ['(a|a)+$'],
      rules: [
        { on: 'tool.before', name: 'guard', match: '^(a+)+$', block: 'blocked' },
        { on: 'tool.after', name: 'rewrite', replace: { pattern: '(a+)+$', with: 'b' } },
      ],
    });
    const agent = { id: 'a', name: 'a' };
    const args = { command: `${'a'.repeat(34)}!` };
    expect(hooks.toolBefore({ agent, tool: 'bash', args }).blocked).toEqual({
      by: 'guard',
      message: 'blocked',
    });
    const out = hooks.toolAfter({ agent, tool: 'bash', args, ok: true, output: `${'a'.repeat(34)}!` });
    expect(out.output).toBe(`${'a'.repeat(34)}!`);
    // Catastrophic backtracking on 35 characters takes minutes; the bound leaves a loaded machine room.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('a bash command too long to check is denied, not checked in part', () => {
    const padded = `${' '.repeat(20_000)}rm -rf /`;
    expect(decideToolCall(resolvePolicy(), 'bash', { command: padded })).toMatchObject({
      decision: 'deny',
      reason: expect.stringMatching(/^the command is 20008 characters, more than the 16384 checked/),
    });
    // A pattern that rescans the command from every position (quadratic) stays fast at the bound.
    const policy = resolvePolicy({ bashDeny: ['.*=.*;'] });
    const started = Date.now();
    expect(decideToolCall(policy, 'bash', { command: 'a'.repeat(16_384) }).decision).toBe('allow');
    // ~1 s when quiet; an exponential pattern would not end at all, so the bound only needs room for load.
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});

describe('the secrets redactor on hostile text', () => {
  const MB = 1_000_000;
  const fill = (unit: string) => unit.repeat(Math.ceil(MB / unit.length)).slice(0, MB);

  test.each([
    ['url-password', fill('a.')],
    ['url-password (user part)', `a://b:${fill('c:')}`],
    ['assignment', fill('token')],
    ['assignment (many names)', fill('token-')],
    ['jwt', fill('eyJ-')],
    ['private key without an end', fill('-----BEGIN RSA PRIVATE KEY-----\n')],
    ['bearer', fill('Bearer ')],
    ['keys', fill('sk-ant-')],
  ])('%s: 1 MB redacts in linear time', (_name, text) => {
    const started = Date.now();
    redactSecrets(text);
    // Linear is ~0.1 s here; a backtracking pattern takes minutes on 1 MB. The bound is loose
    // so that a loaded machine (CI's suites run three at once) cannot fail it.
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('still catches what it caught: URL passwords, long assignments, JWTs among other dotted words, private keys', () => {
    const jwt = `eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.${'s'.repeat(43)}`;
    const text = [
      'postgres://app:hunter2hunter2@db:5432/x',
      'git+ssh://deploy:t0k3n-value@github.com/x',
      'MY_SERVICE_API_KEY = "abcdefgh12345678"',
      `see v1.2.${jwt}.end`,
      `Authorization: Bearer ${jwt}`,
      '-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----',
      '-----BEGIN PRIVATE KEY-----\nsecond\n-----END PRIVATE KEY----- tail',
    ].join('\n');
    const r = redactSecrets(text);
    expect(r.text).toBe(
      [
        'postgres://app:[REDACTED:url-password]@db:5432/x',
        'git+ssh://deploy:[REDACTED:url-password]@github.com/x',
        'MY_SERVICE_API_KEY = "[REDACTED]"',
        'see v1.2.[REDACTED:jwt].end',
        'Authorization: Bearer [REDACTED:jwt]',
        '[REDACTED:private-key]',
        '[REDACTED:private-key] tail',
      ].join('\n'),
    );
    expect(r.count).toBe(7);
  });
});

describe('edit_file', () => {
  test('refuses a replace_all that would grow the file past 20 MiB, before building it', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'orchestra-edit-'));
    await writeFile(path.join(cwd, 'big.txt'), 'a'.repeat(10 * 2 ** 20));
    const before = process.memoryUsage().rss;
    const outcome = (await new MockActivityEnvironment().run(
      editFile as never,
      {
        agentId: 't',
        cwd,
        args: { path: 'big.txt', old_string: 'a', new_string: 'b'.repeat(50), replace_all: true },
      } as never,
    )) as ToolOutcome;
    expect(outcome).toEqual({
      ok: false,
      error: `replacing ${10 * 2 ** 20} occurrence(s) would make big.txt ${50 * 10 * 2 ** 20} bytes; edit_file writes files up to ${20 * 2 ** 20}`,
    });
    expect((await stat(path.join(cwd, 'big.txt'))).size).toBe(10 * 2 ** 20);
    expect(process.memoryUsage().rss - before).toBeLessThan(200 * 2 ** 20);
  });
});

describe('an agent that carries an unsafe pattern', () => {
  const h = useHarness();

  test('cannot be started: the spawn is refused with the pattern named', async () => {
    await expect(
      spawnAgent(h.client, h.defaults, {
        task: 'x',
        cwd: await h.tempDir(),
        policy: { bashDeny: ['^(a+)+$'] },
      }),
    ).rejects.toThrow(/invalid spawn request: .*the pattern \/\^\(a\+\)\+\$\/ can take exponential time/s);
  });

  test('started before the check, it does not take its worker down: the command is denied', async () => {
    const task = h.script([
      { toolCalls: [{ name: 'bash', input: { command: `${'a'.repeat(34)}!` } }] },
      { text: 'done' },
    ]);
    const id = `unsafe-${Date.now().toString(36)}`;
    const config = resolveAgentConfig({ task, cwd: await h.tempDir() }, { id, model: h.defaults.model });
    config.policy = { ...resolvePolicy(), bashDeny: [...DEFAULT_BASH_DENY, '^(a+)+$'] };
    await h.client.workflow.start('agentWorkflow', {
      taskQueue: h.taskQueue,
      workflowId: agentWorkflowId(id),
      args: [{ config, task }],
      typedSearchAttributes: agentSearchAttributes(config, task),
    });
    expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed', result: 'done' });
    const results = (await agentEvents(h.client, id)).flatMap((e) =>
      e.type === 'tool_result' ? [e.output] : [],
    );
    expect(results[0]).toContain('the deny pattern /^(a+)+$/ is unsafe to run');
  });

  test('a pattern that is slow but not catastrophic (polynomial) runs in linear time on a worker', async () => {
    // Accepted by the check (each part is decided by the next character), yet cubic by backtracking:
    // 2,048 "=" took 5.1 s, past the workflow sandbox's 5 s, and Node aborts the worker then.
    const rules = [
      { on: 'tool.before', name: 'semicolons', tool: 'bash', match: '.*=.*;', block: 'no' },
    ] as const;
    const task = h.script([
      { toolCalls: [{ name: 'bash', input: { command: `echo ${'='.repeat(8000)}` } }] },
      { text: 'done' },
    ]);
    const started = Date.now();
    const id = await h.spawn({ task, hooks: { rules: [...rules] } });
    expect((await waitForAgent(h.client, id)).status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
