/** The result cache's pure parts: the hash, the key and what may be cached. */
import { createHash } from 'node:crypto';
import {
  cacheAs,
  cacheKey,
  canonicalJson,
  keyPartsOf,
  sha256Hex,
  uncacheable,
  DEFAULT_LIMITS,
  type AgentConfig,
  type CacheKeyParts,
} from '../src/domain';

const nodeSha = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

test('sha256Hex is SHA-256 of the UTF-8 bytes, at every padding boundary and past one block', () => {
  const texts = [
    '',
    'abc',
    'é∑😀',
    'x'.repeat(55),
    'x'.repeat(56),
    'x'.repeat(64),
    'ü'.repeat(1000),
    'a\ud800b',
  ];
  for (const text of texts) expect(sha256Hex(text)).toBe(nodeSha(text));
});

test('canonical JSON sorts keys at every depth and drops undefined fields', () => {
  expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe(
    '{"a":{"d":[2,{"e":0,"f":1}]},"b":1}',
  );
});

const config = (over: Partial<AgentConfig> = {}): AgentConfig => ({
  id: 's.1',
  name: 'a',
  type: 'adhoc',
  model: 'm',
  systemPrompt: 'be brief',
  tools: ['read_file', 'grep'],
  cwd: '/tmp/x',
  limits: DEFAULT_LIMITS,
  tuning: {} as AgentConfig['tuning'],
  depth: 0,
  ...over,
});
const key = (over: Partial<AgentConfig> = {}, task = 'do it', more: Partial<CacheKeyParts> = {}) =>
  cacheKey({ ...keyPartsOf(config(over), task), tree: 't1', occurrence: 0, ...more });

test('the key names the subtask: the same parts give it, whatever the order of tools, id or cwd', () => {
  const base = key();
  expect(base).toMatch(/^[0-9a-f]{64}$/);
  expect(key({ tools: ['grep', 'read_file', 'grep'] })).toBe(base);
  // Another member's id, name or directory with the same tree: the same subtask.
  expect(key({ id: 'other.7', name: 'b', cwd: '/elsewhere' })).toBe(base);
});

test('the key changes with everything the answer depends on', () => {
  const base = key();
  const changed = [
    key({}, 'do it differently'),
    key({ model: 'm2' }),
    key({ systemPrompt: 'be thorough' }),
    key({ temperature: 0.5 }),
    key({ tools: ['read_file'] }),
    key({ context: 'session directive' }),
    key({ backend: 'other' }),
    key({ limits: { ...DEFAULT_LIMITS, maxIterations: 3 } }),
    key({}, 'do it', { tree: 't2' }),
    key({}, 'do it', { occurrence: 1 }),
    // A writer's cwd under its worktree's root: the same repository, another place to work in.
    key({}, 'do it', { at: 'sub' }),
  ];
  expect(new Set([base, ...changed]).size).toBe(changed.length + 1);
});

test('only members whose tools only read are cacheable', () => {
  expect(uncacheable(config())).toBeUndefined();
  expect(uncacheable(config({ tools: ['read_file', 'list_files', 'grep', 'todo'] }))).toBeUndefined();
  expect(uncacheable(config({ tools: ['read_file', 'write_file'] }))).toMatch(/write_file/);
  expect(uncacheable(config({ tools: ['bash'] }))).toMatch(/bash/);
  expect(uncacheable(config({ tools: ['task'] }))).toMatch(/task/);
  expect(uncacheable(config({ tools: ['report_finding'] }))).toMatch(/report_finding/);
  expect(
    uncacheable(
      config({ delegation: { worker: {}, maxConcurrent: 1, maxWorkers: 1 } as AgentConfig['delegation'] }),
    ),
  ).toMatch(/delegates/);
});

test('a member that writes is cached only in a git worktree of its own, and only if all it does lands in its tree', () => {
  const tools = (...names: AgentConfig['tools']) => config({ tools: names });
  expect(cacheAs(config(), undefined)).toBe('reader');
  expect(cacheAs(tools('read_file', 'write_file', 'edit_file', 'bash', 'todo'), 'worktree')).toBe('writer');
  expect(cacheAs(tools('write_file'), 'copy')).toEqual({ skipped: expect.stringMatching(/copy mode/) });
  expect(cacheAs(tools('bash'), undefined)).toEqual({ skipped: expect.stringMatching(/shared tree/) });
  for (const beyond of [
    'task',
    'delegate',
    'send_message',
    'broadcast',
    'handoff',
    'report_finding',
  ] as const)
    expect(cacheAs(tools('write_file', beyond), 'worktree')).toEqual({
      skipped: expect.stringContaining(beyond),
    });
  const delegating = config({
    tools: ['write_file'],
    delegation: { worker: {}, maxConcurrent: 1, maxWorkers: 1 } as AgentConfig['delegation'],
  });
  expect(cacheAs(delegating, 'worktree')).toEqual({ skipped: 'it delegates to workers' });
});
