/**
 * The tools, run as activities in the SDK's activity context against a real
 * directory and a real bash. The agent-loop suite drives them through the workflow.
 */
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ToolOutcome } from '../src/domain';
import { bash, commandEnv } from '../activities/tools/bash';
import { editFile, listFiles, readFile as readTool, writeFile as writeTool } from '../activities/tools/files';
import { grep, GREP_TIME_LIMIT_ENV, grepTimeLimitMs } from '../activities/tools/grep';

let cwd: string;
let outside: string;
beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'orchestra-tools-'));
  outside = await mkdtemp(path.join(tmpdir(), 'orchestra-outside-'));
  await writeFile(path.join(outside, 'secret.txt'), 'top secret\n');
});
afterEach(() => Promise.all([cwd, outside].map((dir) => rm(dir, { recursive: true, force: true }))));

const run = <A>(fn: (input: A) => Promise<ToolOutcome>, args: unknown): Promise<ToolOutcome> =>
  new MockActivityEnvironment().run(
    fn as never,
    { agentId: 't', cwd, args } as never,
  ) as Promise<ToolOutcome>;

const output = (o: ToolOutcome) => (o.ok ? o.output : `ERROR ${o.error}`);

describe('file tools', () => {
  test('write_file creates parent directories and reports the file as an artifact', async () => {
    const outcome = await run(writeTool, { path: 'src/a.txt', content: 'one\ntwo\n' });
    expect(outcome).toEqual({ ok: true, output: 'wrote 8 chars to src/a.txt', artifacts: ['src/a.txt'] });
    expect(await readFile(path.join(cwd, 'src/a.txt'), 'utf8')).toBe('one\ntwo\n');
  });

  test('read_file numbers lines and honours offset and limit', async () => {
    await writeFile(path.join(cwd, 'f.txt'), 'a\nb\nc\nd\n');
    expect(output(await run(readTool, { path: 'f.txt', offset: 2, limit: 2 }))).toBe(
      '     2\tb\n     3\tc\n[5 lines in all]',
    );
    expect(output(await run(readTool, { path: 'missing.txt' }))).toBe(
      'ERROR no such file or directory: missing.txt',
    );
  });

  test('edit_file replaces a unique string and refuses missing or ambiguous ones', async () => {
    await writeFile(path.join(cwd, 'f.txt'), 'x = 1\ny = 1\n');
    expect(output(await run(editFile, { path: 'f.txt', old_string: 'x = 1', new_string: 'x = 2' }))).toBe(
      'replaced 1 occurrence(s) in f.txt',
    );
    expect(await readFile(path.join(cwd, 'f.txt'), 'utf8')).toBe('x = 2\ny = 1\n');
  });

  test('edit_file refuses an ambiguous match unless replace_all', async () => {
    await writeFile(path.join(cwd, 'f.txt'), 'a a a');
    expect(output(await run(editFile, { path: 'f.txt', old_string: 'a', new_string: 'b' }))).toMatch(
      /occurs 3 times/,
    );
    expect(await readFile(path.join(cwd, 'f.txt'), 'utf8')).toBe('a a a');
    expect(
      output(await run(editFile, { path: 'f.txt', old_string: 'a', new_string: 'b', replace_all: true })),
    ).toBe('replaced 3 occurrence(s) in f.txt');
    expect(await readFile(path.join(cwd, 'f.txt'), 'utf8')).toBe('b b b');
    expect(output(await run(editFile, { path: 'f.txt', old_string: 'zzz', new_string: 'y' }))).toBe(
      'ERROR old_string not found in f.txt',
    );
  });

  test('list_files lists one level, or the tree without .git and node_modules', async () => {
    await mkdir(path.join(cwd, 'src/deep'), { recursive: true });
    await mkdir(path.join(cwd, 'node_modules/x'), { recursive: true });
    await writeFile(path.join(cwd, 'src/deep/a.ts'), '');
    await writeFile(path.join(cwd, 'README.md'), '');
    expect(output(await run(listFiles, {}))).toBe('README.md\nnode_modules/\nsrc/');
    expect(output(await run(listFiles, { recursive: true }))).toBe(
      'README.md\nnode_modules/\nsrc/\nsrc/deep/\nsrc/deep/a.ts',
    );
  });

  test('grep finds matching lines with path and line number', async () => {
    await mkdir(path.join(cwd, 'src'));
    await writeFile(path.join(cwd, 'src/a.ts'), 'const x = 1;\nfunction Foo() {}\n');
    await writeFile(path.join(cwd, 'b.txt'), 'foo bar\n');
    expect(output(await run(grep, { pattern: 'foo', ignoreCase: true }))).toBe(
      'b.txt:1:foo bar\nsrc/a.ts:2:function Foo() {}',
    );
    expect(output(await run(grep, { pattern: 'nothing-here' }))).toBe('no matches');
    expect(output(await run(grep, { pattern: '(' }))).toMatch(/^ERROR invalid regular expression/);
  });

  test("grep's time limit: 10 s, or the worker's setting in whole seconds; a bad setting is refused", () => {
    expect(grepTimeLimitMs({})).toBe(10_000);
    expect(grepTimeLimitMs({ [GREP_TIME_LIMIT_ENV]: ' 3 ' })).toBe(3000);
    for (const bad of ['0', '2.5', 'ten', '46'])
      expect(() => grepTimeLimitMs({ [GREP_TIME_LIMIT_ENV]: bad })).toThrow(
        `${GREP_TIME_LIMIT_ENV} must be a whole number of seconds from 1 to 45, not "${bad}"`,
      );
  });
});

describe('the sandbox', () => {
  test.each([
    ['read_file', readTool, { path: '../escape.txt' }, /leaves the working directory/],
    ['read_file', readTool, { path: 'a/../../escape.txt' }, /leaves the working directory/],
    ['write_file', writeTool, { path: '/etc/passwd', content: 'x' }, /absolute path/],
    ['list_files', listFiles, { path: '..' }, /leaves the working directory/],
    ['grep', grep, { pattern: 'secret', path: '/tmp' }, /absolute path/],
    [
      'edit_file',
      editFile,
      { path: '../x', old_string: 'a', new_string: 'b' },
      /leaves the working directory/,
    ],
  ])('%s refuses %j', async (_name, fn, args, message) => {
    const outcome = await run(fn as never, args);
    expect(outcome.ok).toBe(false);
    expect(output(outcome)).toMatch(message);
  });

  test('a symbolic link is refused, even one that points outside', async () => {
    await symlink(outside, path.join(cwd, 'link'));
    await symlink(path.join(outside, 'secret.txt'), path.join(cwd, 'file-link'));
    expect(output(await run(readTool, { path: 'link/secret.txt' }))).toMatch(/"link" is a symbolic link/);
    expect(output(await run(readTool, { path: 'file-link' }))).toMatch(/"file-link" is a symbolic link/);
    expect(output(await run(writeTool, { path: 'link/new.txt', content: 'x' }))).toMatch(/symbolic link/);
    expect(output(await run(grep, { pattern: 'secret', path: 'link' }))).toMatch(/symbolic link/);
  });

  test('arguments that do not fit the schema are refused before anything runs', async () => {
    expect(output(await run(writeTool, { path: 'a.txt' }))).toMatch(/invalid arguments for write_file/);
    expect(output(await run(readTool, { path: 'a.txt', extra: 1 }))).toMatch(
      /invalid arguments for read_file/,
    );
  });
});

describe('bash', () => {
  test('runs in the working directory and reports the exit code', async () => {
    await writeFile(path.join(cwd, 'here.txt'), '');
    expect(output(await run(bash, { command: 'ls && echo out && echo err >&2' }))).toBe(
      'exit code 0\nhere.txt\nout\nerr',
    );
    expect(output(await run(bash, { command: 'exit 3' }))).toBe('ERROR exit code 3');
  });

  test('output and errors reach the model in the order the command wrote them, sandboxed or not', async () => {
    const command = 'for i in $(seq 1 300); do echo out$i; echo err$i >&2; done; oops';
    const expected = [
      'ERROR exit code 127',
      ...Array.from({ length: 300 }, (_, i) => [`out${i + 1}`, `err${i + 1}`]).flat(),
      'bash: line 1: oops: command not found',
    ].join('\n');
    expect(output(await run(bash, { command }))).toBe(expected);
    process.env.ORCHESTRA_SANDBOX = 'off';
    try {
      expect(output(await run(bash, { command }))).toBe(expected);
    } finally {
      delete process.env.ORCHESTRA_SANDBOX;
    }
  });

  test('a command past its timeout is killed, children included', async () => {
    const started = Date.now();
    const outcome = await run(bash, { command: 'sleep 30 & sleep 30; echo never', timeoutSeconds: 1 });
    expect(output(outcome)).toMatch(/^ERROR timed out after 1s and was killed/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  test('output is capped, keeping the head and the tail', async () => {
    const out = output(await run(bash, { command: 'seq 1 20000' }));
    expect(out.length).toBeLessThan(31_000);
    expect(out).toMatch(/^exit code 0\n1\n2\n/);
    expect(out).toMatch(/chars cut/);
    expect(out).toMatch(/19999\n20000$/);
  });

  test("the command's environment holds none of the project's secrets", async () => {
    const env = commandEnv({
      PATH: '/bin',
      ANTHROPIC_API_KEY: 'sk-1',
      GITHUB_TOKEN: 't',
      TEMPORAL_ADDRESS: 'x',
      HOME: '/h',
      DB_PASSWORD: 'p',
    });
    expect(env).toEqual({ PATH: '/bin', HOME: '/h' });
    process.env.ORCHESTRA_TEST_SECRET_KEY = 'sk-ant-planted';
    try {
      expect(output(await run(bash, { command: 'env' }))).not.toMatch(/sk-ant-planted/);
    } finally {
      delete process.env.ORCHESTRA_TEST_SECRET_KEY;
    }
  });
});
