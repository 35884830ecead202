/**
 * What a sandboxed command can use up: memory (a cgroup cap that holds for root too, where the
 * worker can make one), and the writable places besides its working directory, which are on
 * disk and thrown away after the call; the rest of what it sees is read-only. And the seccomp
 * filter's program itself, run through a BPF interpreter for each architecture it knows.
 */
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import type { ToolOutcome } from '../src/domain';
import { bash } from '../activities/tools/bash';
import { createCommandCgroup } from '../activities/tools/command-cgroup';
import { setidFilter } from '../activities/tools/seccomp';
import { announceSandbox } from '../activities/tools/sandbox-probe';
import { bashResult, HAVE_BWRAP, spawnBash } from './helpers/bash-agents';
import { useHarness } from './helpers/harness';

const h = useHarness();

const sandboxed = HAVE_BWRAP ? describe : describe.skip;
const agentBash = async (command: string) => bashResult(h, await spawnBash(h, command));

/** Whether this worker can cap a command's memory (a root worker on cgroup v1 here; delegated v2 elsewhere). */
async function memoryCappable(): Promise<boolean> {
  const probe = await createCommandCgroup({ processes: 16, memoryBytes: 64 * 2 ** 20 });
  await probe?.remove();
  return probe?.capped.includes('memory') ?? false;
}

sandboxed('memory', () => {
  test('a command past its memory cap is killed by the kernel, the model is told, the worker lives on', async () => {
    if (!(await memoryCappable())) return; // no memory cgroup here: the address-space limit alone applies
    const hogging = `perl -e '$x = "a" x (300 * 1024 * 1024); print "held\\n"'; echo "exit $?"`;
    // Under the default cap (4 GiB) the probe holds its 300 MiB.
    expect((await agentBash(hogging)).text).toBe('exit code 0\nheld\nexit 0');
    process.env.ORCHESTRA_SANDBOX_MEMORY_MIB = '64';
    try {
      const hog = await agentBash(hogging);
      expect(hog.text).toMatch(
        /^exit code 0\n\[killed by the kernel: the command passed its memory cap of 64 MiB\]/,
      );
      expect(hog.text).not.toMatch(/^held$/m);
      expect(hog.text).toMatch(/exit 137/);
      // Under the cap, the same command runs; and the next call is a fresh cgroup.
      const small = await agentBash(`perl -e '$x = "a" x (16 * 1024 * 1024); print "held\\n"'`);
      expect(small).toEqual({ text: 'exit code 0\nheld', isError: false });
    } finally {
      delete process.env.ORCHESTRA_SANDBOX_MEMORY_MIB;
    }
  });

  test('the cap setting is validated: the worker refuses to start on a bad one', async () => {
    for (const bad of ['lots', '0', '1.5']) {
      process.env.ORCHESTRA_SANDBOX_MEMORY_MIB = bad;
      try {
        await expect(announceSandbox()).rejects.toThrow(
          /ORCHESTRA_SANDBOX_MEMORY_MIB must be a whole number/,
        );
      } finally {
        delete process.env.ORCHESTRA_SANDBOX_MEMORY_MIB;
      }
    }
  });
});

sandboxed('the places a command writes besides its working directory', () => {
  test('/tmp, $HOME and /dev/shm are writable, on disk, and gone after the call', async () => {
    const marker = `marker-${randomUUID()}`;
    const hostTmpType = execFileSync('stat', ['-f', '-c', '%T', tmpdir()], { encoding: 'utf8' }).trim();
    const result = await agentBash(
      `for d in /tmp /var/tmp "$HOME" /dev/shm; do echo x > "$d/${marker}" && echo "$d ok"; done; ` +
        'stat -f -c %T /tmp "$HOME" /dev/shm',
    );
    const lines = result.text.split('\n');
    expect(lines.filter((l) => l.endsWith(' ok'))).toHaveLength(4);
    // The host's file system under its temp dir, not a tmpfs held in memory (unless that is the host's).
    expect(lines.slice(-3)).toEqual([hostTmpType, hostTmpType, hostTmpType]);
    // The call's scratch is removed with everything in it.
    // (Other suites' calls may be making and removing their own meanwhile.)
    const listed = (dir: string, recursive: boolean) => {
      try {
        return readdirSync(dir, { recursive }).map(String);
      } catch {
        return [];
      }
    };
    const left = listed(tmpdir(), false).filter((d) => d.startsWith('orchestra-sandbox-'));
    for (const dir of left)
      expect(listed(path.join(tmpdir(), dir), true).some((f) => f.endsWith(marker))).toBe(false);
    const next = await agentBash(`ls -a /tmp "$HOME" /dev/shm | grep -c ${marker} || true`);
    expect(next.text).toBe('exit code 0\n0');
  });

  test("a worker run from a directory under /tmp: that directory is hidden and read-only below the command's own /tmp", async () => {
    const own = await mkdtemp(path.join(tmpdir(), 'orchestra-worker-'));
    await writeFile(path.join(own, 'secret.txt'), 'worker file\n');
    // The agent's directory outside /tmp, so /tmp is hidden after the worker's own dir in it.
    const cwd = await mkdtemp(path.join(homedir(), '.orchestra-sandbox-test-'));
    const before = process.cwd();
    process.chdir(own); // the sandbox hides the worker's own directory: process.cwd()
    try {
      const outcome = (await new MockActivityEnvironment().run(
        bash as never,
        {
          agentId: 't',
          cwd,
          args: {
            command: `cat ${own}/secret.txt; (echo x > ${own}/new) 2>&1; echo x > /tmp/mine && echo own tmp ok`,
          },
        } as never,
      )) as ToolOutcome;
      const text = outcome.ok ? outcome.output : outcome.error;
      expect(text).not.toContain('worker file');
      expect(text).toMatch(/Read-only file system/);
      expect(text).toMatch(/^own tmp ok$/m); // a line of its own: stderr may come after it
    } finally {
      process.chdir(before);
      await rm(own, { recursive: true, force: true });
      await rm(cwd, { recursive: true, force: true });
    }
  });

  test('the hidden places and /dev are read-only: none can be filled', async () => {
    const result = await agentBash(
      `for d in /run /home ${process.cwd()} /dev; do (echo x > "$d/fill") 2>&1 | grep -o "Read-only file system" || echo "$d writable"; done`,
    );
    expect(result.text.split('\n').slice(1)).toEqual(Array(4).fill('Read-only file system'));
    // The device nodes still work on the read-only /dev.
    expect((await agentBash('echo gone > /dev/null && head -c 4 /dev/zero | wc -c')).text).toBe(
      'exit code 0\n4',
    );
  });
});

/** A classic-BPF interpreter for the instructions the filter uses, over a struct seccomp_data. */
function run(program: Buffer, data: { nr: number; arch: number; args?: number[] }): number {
  const word = (offset: number): number => {
    if (offset === 0) return data.nr >>> 0;
    if (offset === 4) return data.arch >>> 0;
    return (data.args?.[(offset - 16) / 8] ?? 0) >>> 0;
  };
  let acc = 0;
  for (let pc = 0; pc * 8 < program.length; pc += 1) {
    const [code, jt, jf, k] = [
      program.readUInt16LE(pc * 8),
      program[pc * 8 + 2],
      program[pc * 8 + 3],
      program.readUInt32LE(pc * 8 + 4),
    ];
    if (code === 0x20) acc = word(k);
    else if (code === 0x06) return k;
    else if (code === 0x15) pc += acc === k ? jt : jf;
    else if (code === 0x35) pc += acc >= k ? jt : jf;
    else if (code === 0x45) pc += (acc & k) !== 0 ? jt : jf;
    else throw new Error(`unknown instruction ${code.toString(16)}`);
  }
  throw new Error('the program ran off its end');
}

describe('the seccomp filter program', () => {
  const [ALLOW, EPERM, ENOSYS] = [0x7fff0000, 0x00050001, 0x00050026];

  test('x86_64: setuid and setgid modes refused on every way to set them, other modes and calls allowed', () => {
    const bpf = setidFilter('x64')!;
    const x64 = 0xc000003e;
    const call = (nr: number, args: number[] = []) => run(bpf, { nr, arch: x64, args });
    expect(call(90, [0, 0o4755])).toBe(EPERM); // chmod
    expect(call(91, [3, 0o2755])).toBe(EPERM); // fchmod
    expect(call(268, [-100, 0, 0o6755])).toBe(EPERM); // fchmodat
    expect(call(452, [-100, 0, 0o4000, 0])).toBe(EPERM); // fchmodat2
    expect(call(257, [-100, 0, 0o101, 0o4755])).toBe(EPERM); // openat(O_CREAT)
    expect(call(2, [0, 0o101, 0o4755])).toBe(EPERM); // open
    expect(call(85, [0, 0o2755])).toBe(EPERM); // creat
    expect(call(133, [0, 0o104755, 0])).toBe(EPERM); // mknod
    expect(call(259, [-100, 0, 0o104755, 0])).toBe(EPERM); // mknodat
    expect(call(90, [0, 0o755])).toBe(ALLOW);
    expect(call(257, [-100, 0, 0o101, 0o644])).toBe(ALLOW);
    expect(call(0, [0, 0o4755])).toBe(ALLOW); // read: its second argument is no mode
    // What would get around it: openat2, io_uring, the x32 ABI, and 32-bit (i386) syscalls.
    expect(call(437)).toBe(ENOSYS);
    expect(call(425)).toBe(ENOSYS);
    expect(call(0x40000000 + 90, [0, 0o4755])).toBe(ENOSYS);
    expect(run(bpf, { nr: 15, arch: 0x40000003, args: [0, 0o4755] })).toBe(ENOSYS);
  });

  test('arm64: the same, with its own numbers; an architecture it does not know gets none', () => {
    const bpf = setidFilter('arm64')!;
    const arm64 = 0xc00000b7;
    expect(run(bpf, { nr: 53, arch: arm64, args: [-100, 0, 0o4755] })).toBe(EPERM); // fchmodat
    expect(run(bpf, { nr: 56, arch: arm64, args: [-100, 0, 0o101, 0o2755] })).toBe(EPERM); // openat
    expect(run(bpf, { nr: 53, arch: arm64, args: [-100, 0, 0o755] })).toBe(ALLOW);
    expect(run(bpf, { nr: 15, arch: 0x40000028, args: [0, 0o4755] })).toBe(ENOSYS); // arm32
    expect(setidFilter('mips')).toBeUndefined();
  });
});

(process.getuid?.() === 0 && existsSync('/sys/fs/cgroup') ? describe : describe.skip)(
  "a root worker's command cgroups",
  () => {
    const LIMITS = { processes: 16, memoryBytes: 64 * 2 ** 20 };
    test('one failed mkdir does not lose the cap for good, and the worker says so once', async () => {
      const probe = await createCommandCgroup(LIMITS);
      if (!probe?.capped.includes('pids')) return; // no writable pids cgroup on this machine: nothing to lose
      await probe.remove();
      const warn = jest.spyOn(Runtime.instance().logger, 'warn').mockImplementation(() => undefined);
      // The module object itself, as command-cgroup.ts sees it (an `import *` would be a copy).
      const fsPromises = jest.requireActual<typeof import('node:fs/promises')>('node:fs/promises');
      const real = fsPromises.mkdir;
      // Every cgroup mkdir fails for the first two commands (each names its cgroups anew), then works again.
      const failed = new Set<string>();
      const mkdirSpy = jest.spyOn(fsPromises, 'mkdir').mockImplementation(((
        dir: string,
        ...rest: never[]
      ) => {
        const name = path.basename(String(dir));
        if (name.startsWith('orchestra-') && (failed.has(name) || failed.size < 2)) {
          failed.add(name);
          return Promise.reject(Object.assign(new Error('EAGAIN: try again'), { code: 'EAGAIN' }));
        }
        return (real as (...a: unknown[]) => Promise<unknown>)(dir, ...rest);
      }) as never);
      const made: Array<Awaited<ReturnType<typeof createCommandCgroup>>> = [];
      try {
        for (let i = 0; i < 3; i += 1) made.push(await createCommandCgroup(LIMITS));
        // Two commands without a process cap, then the third has one again.
        expect(made.map((c) => c?.capped.includes('pids') ?? false)).toEqual([false, false, true]);
        const said = warn.mock.calls.filter(([m]) => /without a process cap/.test(String(m)));
        expect(said).toHaveLength(1);
      } finally {
        await Promise.all(made.map((c) => c?.remove()));
        mkdirSpy.mockRestore();
        warn.mockRestore();
      }
    });
  },
);
