/**
 * Ways out of the bash sandbox that a security review found on a root worker, each shown
 * first to be real (the probe reaches what it aims at) and then closed: sysctls written from
 * inside, setuid files left in the working directory, a working directory swapped for a
 * link, the Temporal client's TLS files, descriptors inherited from the worker's launcher,
 * and output floods that held the worker's main thread.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MockActivityEnvironment } from '@temporalio/testing';
import type { ToolOutcome } from '../src/domain';
import { bash } from '../activities/tools/bash';
import { bwrapArgs } from '../activities/tools/bwrap';
import { clearSetid } from '../activities/tools/setid-sweep';
import { bashResult, HAVE_BWRAP, spawnBash, unsandboxed } from './helpers/bash-agents';
import { useHarness } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();

const sandboxed = HAVE_BWRAP ? describe : describe.skip;
const ROOT = process.getuid?.() === 0;
const asRoot = ROOT ? test : test.skip;

const agentBash = async (command: string, cwd?: string) =>
  bashResult(h, await spawnBash(h, command, { cwd }));

/** The bash activity itself, in the SDK's activity context. */
function runBash(
  cwd: string,
  args: { command: string; timeoutSeconds?: number },
  env = new MockActivityEnvironment(),
): Promise<ToolOutcome> {
  return env.run(bash as never, { agentId: 't', cwd, args } as never) as Promise<ToolOutcome>;
}

/** Where a call's scratch dirs would be: bwrapArgs only names them. */
const SCRATCH = { tmp: '/nonexistent/tmp', home: '/nonexistent/home', shm: '/nonexistent/shm' };

const text = (o: ToolOutcome) => (o.ok ? o.output : o.error);

const CORE_PATTERN = '/proc/sys/kernel/core_pattern';

sandboxed('sysctls and the rest of /proc', () => {
  // kernel.core_pattern = "|/prog" makes the kernel run /prog as root on the host at the next
  // crash. The probe only ever writes back the value already there, and the test restores it.
  asRoot('a root command cannot write a sysctl such as kernel.core_pattern', async () => {
    const before = readFileSync(CORE_PATTERN, 'utf8');
    const probe =
      `test -w ${CORE_PATTERN} && echo writable || echo read-only; ` +
      `v=$(cat ${CORE_PATTERN}) && printf '%s\\n' "$v" > ${CORE_PATTERN} && echo wrote`;
    try {
      // The probe is real: as root, outside any sandbox, the file takes a write.
      const open = await unsandboxed(() => agentBash(probe));
      expect(open.text).toBe('exit code 0\nwritable\nwrote');

      const closed = await agentBash(
        `${probe}; echo "writable sysctls: $(find /proc/sys -writable | wc -l)"; test -w /proc/sysrq-trigger && echo sysrq || true`,
      );
      expect(closed.text).toMatch(/^exit code 0\nread-only\n/);
      expect(closed.text).toMatch(/Read-only file system/);
      expect(closed.text).not.toMatch(/wrote|sysrq/);
      // No sysctl at all is writable. Labelled: the failed write's stderr may come after it.
      expect(closed.text).toMatch(/^writable sysctls: 0$/m);
    } finally {
      if (readFileSync(CORE_PATTERN, 'utf8') !== before) writeFileSync(CORE_PATTERN, before);
    }
    expect(readFileSync(CORE_PATTERN, 'utf8')).toBe(before);
  });

  test('the working directory is mounted before /proc and /dev, and `/` is never one', () => {
    const args = bwrapArgs({ cwd: tmpdir(), network: false, timeoutSeconds: 10, scratch: SCRATCH }, 'true');
    const bind = args.findIndex((a, i) => a === '--bind' && args[i + 1] === tmpdir());
    expect(bind).toBeGreaterThan(-1);
    expect(bind).toBeLessThan(args.indexOf('--proc'));
    expect(bind).toBeLessThan(args.indexOf('--dev'));
    expect(args.slice(args.indexOf('--proc'))).toEqual(
      expect.arrayContaining(['--ro-bind-try', '/proc/sys', '/proc/sys']),
    );
    // bash hands bwrap the directory it opened and checked, not a name to resolve again.
    const byFd = bwrapArgs(
      { cwd: tmpdir(), cwdFd: 3, network: false, timeoutSeconds: 10, scratch: SCRATCH },
      'true',
    );
    expect(byFd.indexOf('--bind-fd')).toBeLessThan(byFd.indexOf('--proc'));
    expect(byFd.slice(byFd.indexOf('--bind-fd'), byFd.indexOf('--bind-fd') + 3)).toEqual([
      '--bind-fd',
      '3',
      tmpdir(),
    ]);
    for (const cwd of ['/', '/proc/self', '/dev/shm', '/sys'])
      expect(() => bwrapArgs({ cwd, network: false, timeoutSeconds: 10, scratch: SCRATCH }, 'true')).toThrow(
        /refused/,
      );
  });
});

sandboxed('setuid and setgid files', () => {
  test('a command cannot make one: chmod, a file created with the bits, mkdir -m, install -m', async () => {
    const cwd = await h.tempDir();
    const tries = [
      'cp /bin/true ./a && chmod 4755 ./a',
      'cp /bin/true ./b && chmod g+s ./b',
      `perl -e 'use Fcntl; sysopen(F, "c", O_CREAT|O_WRONLY, 04755) or die "$!\\n"'`,
      'mkdir -m 2775 d',
      'install -m 6755 /bin/true ./e',
      `node -e "require('fs').writeFileSync('f', 'x', { mode: 0o4755 })"`,
    ];
    const result = await agentBash(
      `${tries.map((t) => `(${t}) 2>&1; echo ==; `).join('')}` +
        'cp /bin/true ./g && chmod 755 ./g && echo plain chmod works; stat -c "%n %a" *',
      cwd,
    );
    const each = result.text.split('\n==\n');
    expect(each).toHaveLength(tries.length + 1);
    for (const output of each.slice(0, -1)) expect(output).toMatch(/Operation not permitted|EPERM/);
    expect(each.at(-1)).toMatch(/^plain chmod works\n/);
    // Nothing under the working directory carries either bit, before any sweep had work to do.
    expect(result.text).not.toMatch(/setuid\/setgid bits cleared/);
    for (const line of result.text
      .split('\n')
      .slice(1)
      .filter((l) => /^\w \d+$/.test(l)))
      expect(Number.parseInt(line.split(' ')[1], 8) & 0o6000).toBe(0);
  });

  test('the sweep after each call still clears any the directory holds, and the model is told', async () => {
    const cwd = await h.tempDir();
    const outside = await mkdtemp(path.join(tmpdir(), 'orchestra-outside-'));
    // Files with the bits that came from elsewhere (a kernel without seccomp filters lets the
    // command make them; see seccomp.ts): planted here from outside the sandbox.
    const plant = async (name: string, mode: number) => {
      await mkdir(path.dirname(path.join(cwd, name)), { recursive: true });
      await copyFile('/bin/true', path.join(cwd, name));
      await chmod(path.join(cwd, name), mode);
    };
    await plant('rootsh', 0o4755);
    await plant('deep/er/g', 0o2711);
    await plant('unreadable', 0o4111);
    // A setuid file outside, reached through a link: the sweep never follows one.
    await copyFile('/bin/true', path.join(outside, 'theirs'));
    await chmod(path.join(outside, 'theirs'), 0o4755);
    await symlink(path.join(outside, 'theirs'), path.join(cwd, 'link'));
    await symlink(outside, path.join(cwd, 'dirlink'));
    try {
      const result = await agentBash('stat -c %a rootsh', cwd);
      expect(result.text).toMatch(/^exit code 0\n4755\n/);
      expect(result.text).toMatch(/setuid\/setgid bits cleared on 3 file\(s\)/);
      expect(result.text).toMatch(/rootsh/);
      expect((await stat(path.join(cwd, 'rootsh'))).mode & 0o7777).toBe(0o755);
      expect((await stat(path.join(cwd, 'deep/er/g'))).mode & 0o7777).toBe(0o711);
      expect((await stat(path.join(cwd, 'unreadable'))).mode & 0o7777).toBe(0o111);
      expect((await stat(path.join(outside, 'theirs'))).mode & 0o7777).toBe(0o4755);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  test('also when the command times out or is cancelled', async () => {
    const cwd = await h.tempDir();
    const plant = async () => {
      await copyFile('/bin/true', path.join(cwd, 's'));
      await chmod(path.join(cwd, 's'), 0o6755);
    };
    await plant();
    const timedOut = await runBash(cwd, { command: 'sleep 100', timeoutSeconds: 2 });
    expect(text(timedOut)).toMatch(/^timed out after 2s/);
    expect(text(timedOut)).toMatch(/bits cleared on 1 file\(s\): s/);
    expect((await stat(path.join(cwd, 's'))).mode & 0o7777).toBe(0o755);

    await rm(path.join(cwd, 's'));
    await plant();
    const env = new MockActivityEnvironment();
    const running = runBash(cwd, { command: 'touch started && sleep 100' }, env);
    await until(
      async () => existsSync(path.join(cwd, 'started')),
      (yes) => yes,
      'the command started',
    );
    env.cancel();
    await expect(running).rejects.toThrow();
    expect((await stat(path.join(cwd, 's'))).mode & 0o7777).toBe(0o755);
  });

  test('the sweep walks no link and stops at its limits, saying so', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-sweep-'));
    for (let i = 0; i < 5; i += 1) {
      await copyFile('/bin/true', path.join(dir, `f${i}`));
      await chmod(path.join(dir, `f${i}`), 0o4755);
    }
    await symlink('/usr/bin', path.join(dir, 'bin'));
    // A name that is not UTF-8, in a directory whose name is not either: still found and cleared.
    const odd = Buffer.concat([Buffer.from(`${dir}/`), Buffer.from([0xff, 0xfe])]);
    await mkdir(odd);
    const oddFile = Buffer.concat([odd, Buffer.from('/'), Buffer.from([0xc3, 0x28])]);
    await copyFile('/bin/true', oddFile);
    await chmod(oddFile, 0o2755);
    const limited = await clearSetid(dir, { files: 2, seconds: 60 });
    expect(limited.cleared).toHaveLength(2);
    expect(limited.incomplete).toMatch(/more than 2 such files/);
    const rest = await clearSetid(dir);
    expect(rest.cleared).toHaveLength(4);
    expect(rest.cleared).toEqual(expect.arrayContaining(['f2', 'f3', 'f4']));
    expect((await stat(oddFile)).mode & 0o7777).toBe(0o755);
    expect(await clearSetid(dir)).toEqual({ cleared: [] });
    await rm(dir, { recursive: true, force: true });
  });
});

sandboxed('the working directory', () => {
  test('a directory swapped for a link to /etc after the agent started: bash refuses', async () => {
    const ws = await h.tempDir();
    const dir = path.join(ws, 'project');
    await mkdir(dir);
    // The agent starts in a real directory; its model answers after 3 s, and the swap comes first.
    const id = await spawnBash(h, 'pwd; ls', { cwd: dir, delayMs: 3000 });
    await rename(dir, `${dir}.real`);
    await symlink('/etc', dir);
    const result = await bashResult(h, id);
    expect(result.isError).toBe(true);
    expect(result.text).toMatch(/refused/);
    expect(result.text).not.toMatch(/passwd|hostname/);
  });

  test('the bash activity refuses `/` and system directories as a tool error', async () => {
    for (const cwd of ['/', '/etc', '/proc/self']) {
      const outcome = await runBash(cwd, { command: 'touch probe' });
      expect(outcome.ok).toBe(false);
      expect(text(outcome)).toMatch(/refused/);
    }
  });
});

sandboxed('credential files named by variables', () => {
  const NAMES = [
    'TEMPORAL_TLS_CLIENT_KEY_PATH',
    'TEMPORAL_TLS_CLIENT_CERT_PATH',
    'TEMPORAL_TLS_SERVER_CA_CERT_PATH',
    'TEMPORAL_CONFIG_FILE',
    'SSL_KEY_FILE',
  ];

  test("the Temporal client's TLS files, its config file and SSL_KEY_FILE are hidden", async () => {
    // In the working directory: the one place no other rule hides, whatever the worker's user.
    const cwd = await h.tempDir();
    for (const name of NAMES) await writeFile(path.join(cwd, name), `secret of ${name}\n`);
    const probe = NAMES.map((n) => `cat ${n};`).join(' ');
    expect(text(await runBash(cwd, { command: probe }))).toContain('secret of SSL_KEY_FILE');
    try {
      for (const name of NAMES) process.env[name] = path.join(cwd, name);
      const closed = text(await runBash(cwd, { command: probe }));
      expect(closed).not.toContain('secret');
      // Each is /dev/null now, which the sandbox's nodev mounts do not open.
      for (const name of NAMES) expect(closed).toContain(`cat: ${name}: Permission denied`);
      // Only hidden from the sandbox: the worker still reads them.
      expect(readFileSync(path.join(cwd, NAMES[0]), 'utf8')).toMatch(/secret/);
    } finally {
      for (const name of NAMES) delete process.env[name];
    }
  });
});

sandboxed('descriptors inherited by the worker', () => {
  test('none reaches the sandbox: the command holds 0, 1 and 2 only', async () => {
    // Descriptors this process holds without close-on-exec (a launcher's pipe, say) would leak.
    const inherited = readdirSync('/proc/self/fd').filter((fd) => {
      if (Number(fd) <= 2) return false;
      const info = existsSync(`/proc/self/fdinfo/${fd}`)
        ? readFileSync(`/proc/self/fdinfo/${fd}`, 'utf8')
        : '';
      const flags = /flags:\s*(\d+)/.exec(info)?.[1];
      return flags !== undefined && (parseInt(flags, 8) & 0o2000000) === 0;
    });
    const cwd = await h.tempDir();
    const probe = 'ls /proc/self/fd | sort -n | tr "\\n" " "';
    if (inherited.length > 0) {
      const open = text(await unsandboxed(() => runBash(cwd, { command: probe })));
      expect(open.split('\n')[1].split(' ')).toEqual(expect.arrayContaining(inherited));
    }
    // `ls` holds one more while it lists: its own directory descriptor.
    expect(text(await runBash(cwd, { command: probe }))).toBe('exit code 0\n0 1 2 3');
  });
});

sandboxed('output floods', () => {
  test('200 MB of output is capped quickly and leaves the event loop free', async () => {
    const cwd = await h.tempDir();
    let worst = 0;
    let last = performance.now();
    const ticker = setInterval(() => {
      const now = performance.now();
      worst = Math.max(worst, now - last - 20);
      last = now;
    }, 20);
    const started = Date.now();
    try {
      const outcome = await runBash(cwd, { command: 'yes | head -c 200000000; echo; echo end' });
      const out = text(outcome);
      expect(out).toMatch(/^exit code 0\ny\ny\n/);
      expect(out).toMatch(/chars cut/);
      expect(out).toMatch(/\nend$/);
      expect(out.length).toBeLessThan(31_000);
    } finally {
      clearInterval(ticker);
    }
    expect(Date.now() - started).toBeLessThan(30_000);
    // Before, the main thread was held for the flood's whole length (seconds on end); a loaded
    // CI machine stalls a timer by a few hundred milliseconds on its own.
    expect(worst).toBeLessThan(2000);
  });

  // Before, `yes` was read for its whole timeout, the main thread 95% busy decoding and capping
  // every chunk again; now the raw head and tail are kept, and past 1 GiB it is killed.
  test('a flood past 1 GiB is killed rather than read for the whole timeout', async () => {
    const cwd = await h.tempDir();
    const started = Date.now();
    const outcome = await runBash(cwd, { command: 'yes', timeoutSeconds: 600 });
    expect(outcome.ok).toBe(false);
    expect(text(outcome)).toMatch(/^killed: its output passed 1 GiB/);
    expect(Date.now() - started).toBeLessThan(120_000);
  });
});
