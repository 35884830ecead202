/** Commands run by the small helper process (activities/exec-helper.ts): the same answers as execFile, from another process. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { execCollect, type ExecOptions } from '../activities/exec-helper';

const options: ExecOptions = {
  cwd: __dirname,
  env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  maxBuffer: 2 ** 20,
};
const sh = (script: string, extra: Partial<ExecOptions> = {}) =>
  execCollect('sh', ['-c', script], { ...options, ...extra });

/** The pid of the process that started a command, and its command line. */
async function starter(): Promise<{ pid: number; cmdline: string }> {
  const { stdout } = await sh('echo $PPID');
  const pid = Number(stdout.trim());
  return { pid, cmdline: readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ') };
}

test('exit code, output and error output come back as execFile gives them', async () => {
  expect(await sh('echo out; echo err >&2; exit 3')).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  expect(await sh('echo "$FOO"', { env: { ...options.env, FOO: 'bar' } })).toEqual({
    code: 0,
    stdout: 'bar\n',
    stderr: '',
  });
  expect(await sh('pwd', { cwd: '/' })).toMatchObject({ code: 0, stdout: '/\n' });
});

test('a command that cannot start, or says too much, is code -1 with the reason', async () => {
  expect(await execCollect('no-such-command-orchestra', [], options)).toMatchObject({
    code: -1,
    error: expect.stringMatching(/ENOENT/),
  });
  expect(await sh('true', { cwd: path.join(__dirname, 'no-such-directory') })).toMatchObject({
    code: -1,
    error: expect.stringMatching(/ENOENT/),
  });
  expect(await sh('head -c 100000 /dev/zero', { maxBuffer: 1000 })).toMatchObject({
    code: -1,
    error: expect.stringMatching(/maxBuffer/),
  });
});

test('commands start from the helper, not from this process, many at once', async () => {
  const { pid, cmdline } = await starter();
  expect(pid).not.toBe(process.pid);
  expect(cmdline).toMatch(/^\S*node -e /);
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => sh(`echo ${i}`)));
  expect(answers.map((a) => a.stdout)).toEqual(Array.from({ length: 20 }, (_, i) => `${i}\n`));
});

test('the helper killed: what it was running runs here, and the next call gets a new helper', async () => {
  const { pid } = await starter();
  const running = sh('sleep 0.3; echo done');
  process.kill(pid, 'SIGKILL');
  expect(await running).toEqual({ code: 0, stdout: 'done\n', stderr: '' });
  const next = await starter();
  expect(next.pid).not.toBe(pid);
  expect(next.cmdline).toMatch(/^\S*node -e /);
});

test('an idle helper does not keep its process alive', async () => {
  const built = path.resolve(__dirname, '../dist/activities/exec-helper.js');
  const script = `require(${JSON.stringify(built)}).execCollect('echo', ['hi'], ${JSON.stringify(options)}).then((r) => console.log(r.stdout.trim()))`;
  const exited = await new Promise<{ code: number | null; stdout: string }>((resolve) =>
    execFile(process.execPath, ['-e', script], { timeout: 20_000 }, (err, stdout) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : null) : 0, stdout }),
    ),
  );
  expect(exited).toEqual({ code: 0, stdout: 'hi\n' });
});
