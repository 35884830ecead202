/**
 * What an agent's bash command can reach. Each attack is first shown to work without the
 * sandbox (ORCHESTRA_SANDBOX=off, so the probe is known to be real), then shown closed in
 * it. The commands run through real agents: scripted model, real workflow, real activity.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import { MockActivityEnvironment } from '@temporalio/testing';
import { Runtime } from '@temporalio/worker';
import {
  bashSandbox,
  policyRequestSchema,
  redactSecrets,
  resolvePolicy,
  stricterBashPolicy,
  type PolicyRequest,
} from '../src/domain';
import { controlAgent } from '../src/temporal/agents';
import { bash, commandEnv } from '../activities/tools/bash';
import { SANDBOX_LIMITS, sandboxEnv } from '../activities/tools/bwrap';
import { announceSandbox, probeBwrap } from '../activities/tools/sandbox-probe';
import { bashResult, HAVE_BWRAP, spawnBash, unsandboxed, type BashResult } from './helpers/bash-agents';
import { useHarness, waitForStatus } from './helpers/harness';
import { until } from './helpers/poll';

const h = useHarness();

const sandboxed = HAVE_BWRAP ? describe : describe.skip;

/** Run one command through an agent; its tool result as the model (and the history) got it. */
const agentBash = async (command: string, policy?: PolicyRequest, cwd?: string): Promise<BashResult> =>
  bashResult(h, await spawnBash(h, command, { policy, cwd }));

const decoded = (text: string): string =>
  text
    .split('\n')
    .filter((line) => /^[A-Za-z0-9+/=]{8,}$/.test(line))
    .map((line) => Buffer.from(line, 'base64').toString('utf8'))
    .join('\n');

/** The host's processes, as `ps` outside any sandbox sees them. */
const hostProcesses = (): Promise<string> =>
  new Promise((resolve, reject) =>
    execFile('ps', ['-eo', 'pid=,args='], (err, out) => (err ? reject(err) : resolve(out))),
  );

const waitUntil = (predicate: () => Promise<boolean>, what: string) =>
  until(predicate, (ok) => ok, what, 30_000, 200);

(process.env.CI === 'true' ? test : test.skip)(
  'under CI the sandbox is installed and works: a missing install fails here, it is not skipped',
  async () => {
    expect(await probeBwrap()).toEqual({ ok: true, seccomp: true });
    expect(HAVE_BWRAP).toBe(true);
  },
);

sandboxed('the sandbox', () => {
  test("the worker's environment is out of reach, even base64-encoded past the redactor", async () => {
    // /proc/<worker>/environ holds what the worker was started with (ANTHROPIC_API_KEY, where it
    // lives); a variable set since then reaches commands through their inherited environment.
    const passed = Object.keys(sandboxEnv(process.env, homedir()));
    const started = readFileSync('/proc/self/environ', 'utf8')
      .split('\0')
      .filter((entry) => entry && !passed.includes(entry.split('=')[0]));
    // The worker's longest variable that the sandbox does not hand out on purpose (PATH, LANG, ...).
    const longest = started.reduce((a, b) => (b.length > a.length ? b : a));
    const planted = `plant-${randomUUID()}`;
    process.env.ANTHROPIC_API_KEY_PLANTED = `sk-ant-${randomUUID()}`;
    // A harmless name and a value no secret pattern knows: only the sandbox keeps it in.
    process.env.BUILD_LABEL = planted;
    const probe = 'base64 -w0 /proc/$PPID/environ; echo; env | base64 -w0; echo';
    try {
      // The attack: the worker's own environment comes back, base64 slipping past the redactor.
      const open = await unsandboxed(() => agentBash(probe));
      expect(decoded(open.text)).toContain(longest);
      expect(decoded(open.text)).toContain(planted);

      const closed = await agentBash(probe);
      expect(closed.isError).toBe(false);
      const seen = decoded(closed.text);
      expect(seen).toMatch(/PATH=/); // the probe did read something
      expect(seen).not.toContain(longest);
      expect(seen).not.toMatch(/ANTHROPIC|sk-ant-/);
      expect(seen).not.toContain(planted);
      expect(seen.split('\n').map((v) => v.split('=')[0])).not.toContain('JEST_WORKER_ID');
    } finally {
      delete process.env.ANTHROPIC_API_KEY_PLANTED;
      delete process.env.BUILD_LABEL;
    }
  });

  test("other processes are invisible: the command sees only its own sandbox's", async () => {
    const probe = 'ps -eo pid=,comm=';
    const open = await unsandboxed(() => agentBash(probe));
    expect(open.text).toMatch(new RegExp(`^\\s*${process.pid}\\s`, 'm'));

    const closed = await agentBash(`${probe}; ls /proc | grep -E '^[0-9]+$' | wc -l`);
    const names = closed.text
      .split('\n')
      .slice(1, -1)
      .map((l) => l.trim().split(/\s+/)[1]);
    expect(new Set(names)).toEqual(new Set(['bwrap', 'bash', 'ps']));
    expect(Number(closed.text.split('\n').at(-1))).toBeLessThan(8);
  });

  test('only the working directory is writable; the rest of the machine is read-only or hidden', async () => {
    const cwd = await h.tempDir();
    const outside = await mkdtemp(path.join(tmpdir(), 'orchestra-outside-'));
    const system = `/var/lib/orchestra-probe-${randomUUID().slice(0, 8)}`;
    try {
      const result = await agentBash(
        `echo inside > inside.txt; echo outside > ${outside}/escaped.txt; echo system > ${system}; cat inside.txt`,
        undefined,
        cwd,
      );
      expect(result.text).toMatch(/^inside$/m); // a line of its own: stderr may come after it
      expect(result.text).toMatch(/Read-only file system/);
      expect(await readFile(path.join(cwd, 'inside.txt'), 'utf8')).toBe('inside\n');
      expect(existsSync(path.join(outside, 'escaped.txt'))).toBe(false);
      expect(existsSync(system)).toBe(false);
    } finally {
      await rm(outside, { recursive: true, force: true });
    }
  });

  test("the worker's home, its own directory and the system's secrets are hidden", async () => {
    const secret = path.join(homedir(), `.orchestra-sandbox-test-${randomUUID().slice(0, 8)}`);
    await writeFile(secret, 'home secret\n');
    const probe =
      `cat ${secret}; cat ${path.join(process.cwd(), 'package.json')} | head -c 200; ` +
      `echo; echo "shadow: $(head -c 5 /etc/shadow)"`;
    try {
      const open = await unsandboxed(() => agentBash(probe));
      expect(open.text).toContain('home secret');
      expect(open.text).toContain('"name"');
      const root = process.getuid?.() === 0;
      if (root) expect(open.text).toContain('shadow: root:'); // a root worker reads it, capabilities or not

      const closed = await agentBash(probe);
      expect(closed.text).not.toContain('home secret');
      expect(closed.text).not.toContain('"name"');
      expect(closed.text).toMatch(/No such file or directory/);
      expect(closed.text).not.toContain('shadow: root:');
    } finally {
      await rm(secret, { force: true });
    }
  });

  // Needs a writable place the sandbox does not hide already (not /tmp, not a home): /var/lib, as root.
  (process.getuid?.() === 0 ? test : test.skip)(
    "ORCHESTRA_SANDBOX_HIDE hides more, e.g. the other agents' checkouts next to this one",
    async () => {
      const shared = await mkdtemp('/var/lib/orchestra-sandbox-test-');
      const mine = path.join(shared, 'mine');
      await mkdir(mine);
      await mkdir(path.join(shared, 'theirs'));
      await writeFile(path.join(shared, 'theirs', 'notes.txt'), 'their notes\n');
      const probe = 'cat ../theirs/notes.txt; echo mine > mine.txt';
      try {
        expect((await agentBash(probe, undefined, mine)).text).toContain('their notes');
        process.env.ORCHESTRA_SANDBOX_HIDE = shared;
        const hidden = await agentBash(probe, undefined, mine);
        expect(hidden.text).not.toContain('their notes');
        expect(hidden.text).toMatch(/No such file or directory/);
        expect(await readFile(path.join(mine, 'mine.txt'), 'utf8')).toBe('mine\n');
      } finally {
        delete process.env.ORCHESTRA_SANDBOX_HIDE;
        await rm(shared, { recursive: true, force: true });
      }
    },
  );

  test('the toolchains on PATH still work inside: node runs', async () => {
    const result = await agentBash('node -e "console.log(6 * 7)"');
    expect(result).toEqual({ text: 'exit code 0\n42', isError: false });
  });

  test("the network is off unless the agent's policy allows it", async () => {
    // The Temporal server's own port: what an agent must never reach by default.
    const [host, port] = h.address.split(':');
    const probe = `(exec 3<>/dev/tcp/${host}/${port}) 2>/dev/null && echo connected || echo unreachable`;
    expect((await agentBash(probe)).text).toBe('exit code 0\nunreachable');
    expect((await agentBash(probe, { bashNetwork: true })).text).toBe('exit code 0\nconnected');
  });

  test('a background process ends with the call, even one in a session of its own', async () => {
    const marker = 31_000 + Math.floor(Math.random() * 900);
    const probe = `setsid sleep ${marker} >/dev/null 2>&1 & sleep 1; echo started`;
    const running = async () => (await hostProcesses()).includes(`sleep ${marker}`);
    // Without the sandbox it outlives the call; end it here (by its pid: the test started it).
    await unsandboxed(() => agentBash(probe));
    expect(await running()).toBe(true);
    for (const line of (await hostProcesses()).split('\n')) {
      if (line.includes(`sleep ${marker}`)) process.kill(Number(line.trim().split(/\s+/)[0]), 'SIGKILL');
    }
    await waitUntil(async () => !(await running()), 'the sleep killed');

    const started = Date.now();
    expect((await agentBash(probe)).text).toBe('exit code 0\nstarted');
    expect(Date.now() - started).toBeLessThan(60_000);
    expect(await running()).toBe(false);
  });

  test('cancelling the agent kills the whole process tree of its command', async () => {
    const marker = 32_000 + Math.floor(Math.random() * 900);
    const task = h.script([
      { toolCalls: [{ name: 'bash', input: { command: `sleep ${marker} & sleep ${marker + 1}` } }] },
      { text: 'never' },
    ]);
    const id = await h.spawn({ task });
    const running = async () => (await hostProcesses()).includes(`sleep ${marker}`);
    await waitUntil(running, 'the command running');
    await controlAgent(h.client, id, 'cancel');
    await waitForStatus(h.client, id, (v) => v.status === 'cancelled');
    await waitUntil(async () => !(await running()), 'the process tree gone');
    expect(await hostProcesses()).not.toContain(`sleep ${marker + 1}`);
  });

  test('limits apply: processes, file size, memory and CPU time, and a fork loop hits the cap', async () => {
    const limits = await agentBash('ulimit -u; ulimit -f; ulimit -v; ulimit -t');
    expect(limits.text.split('\n').slice(1)).toEqual([
      String(SANDBOX_LIMITS.processes),
      String(SANDBOX_LIMITS.fileSizeMiB * 2048),
      String(SANDBOX_LIMITS.virtualMemoryGiB * 1024 * 1024),
      String(120 * SANDBOX_LIMITS.cpuPerTimeoutSecond),
    ]);
    // perl's fork does not retry (bash's does, for seconds): it stops at the cap at once.
    const forks = await agentBash(
      `perl -e 'my $n = 0; while ($n < 2000) { my $p = fork(); last unless defined $p; ` +
        `if (!$p) { sleep 60; exit 0 } $n++ } print "forked $n\\n"'`,
    );
    const forked = Number(/forked (\d+)/.exec(forks.text)?.[1]);
    expect(forked).toBeGreaterThan(10);
    expect(forked).toBeLessThan(SANDBOX_LIMITS.processes);
    expect(await hostProcesses()).not.toMatch(/perl -e my \$n/);
  });
});

describe('without a sandbox', () => {
  test('a policy that forbids unsandboxed bash refuses the command with a clear reason', async () => {
    const cwd = await h.tempDir();
    const refused = await unsandboxed(() => agentBash('touch ran.txt', { bashUnsandboxed: 'deny' }, cwd));
    expect(refused.isError).toBe(true);
    expect(refused.text).toMatch(/^refused: this worker has no sandbox for bash \(ORCHESTRA_SANDBOX=off\)/);
    expect(refused.text).toMatch(/bashUnsandboxed: "deny"/);
    expect(existsSync(path.join(cwd, 'ran.txt'))).toBe(false);
    // The default policy lets it run, with secrets removed from its environment.
    expect((await unsandboxed(() => agentBash('touch ran.txt', undefined, cwd))).isError).toBe(false);
    expect(existsSync(path.join(cwd, 'ran.txt'))).toBe(true);
  });

  test('the worker says so loudly at start, and a mistyped setting stops it', async () => {
    const warn = jest.spyOn(Runtime.instance().logger, 'warn').mockImplementation(() => undefined);
    try {
      await unsandboxed(() => announceSandbox());
      expect(warn).toHaveBeenCalledWith(
        expect.stringMatching(/^NO SANDBOX for bash \(ORCHESTRA_SANDBOX=off\)/),
      );
    } finally {
      warn.mockRestore();
    }
    process.env.ORCHESTRA_SANDBOX = 'maybe';
    try {
      await expect(announceSandbox()).rejects.toThrow(/ORCHESTRA_SANDBOX must be auto, bwrap or off/);
    } finally {
      delete process.env.ORCHESTRA_SANDBOX;
    }
  });

  test('variables holding a password in a URL never reach the command', async () => {
    process.env.DATABASE_URL = 'postgres://app:hunter2-db-pw@db.internal/app';
    process.env.SENTRY_DSN = 'https://abc@o1.ingest.example/1';
    try {
      const result = await unsandboxed(() => agentBash('env'));
      expect(result.text).not.toContain('hunter2-db-pw');
      expect(result.text).not.toMatch(/DATABASE_URL|SENTRY_DSN/);
    } finally {
      delete process.env.DATABASE_URL;
      delete process.env.SENTRY_DSN;
    }
  });
});

describe('redaction and the policy', () => {
  test('a password inside a URL is redacted; the rest of the URL still reads', () => {
    expect(redactSecrets('DATABASE_URL=postgres://u:pw@host/db').text).toBe(
      'DATABASE_URL=postgres://u:[REDACTED:url-password]@host/db',
    );
    expect(redactSecrets('git clone https://x-token:ghs_abc@github.example/o/r').text).toBe(
      'git clone https://x-token:[REDACTED:url-password]@github.example/o/r',
    );
    expect(redactSecrets('redis://:s3cret@cache:6379/0').count).toBe(1);
    expect(redactSecrets('see https://example.com/a:b and user@example.com').count).toBe(0);
  });

  test('commandEnv drops secrets by name and by value', () => {
    expect(
      commandEnv({
        PATH: '/bin',
        PWD: '/w',
        DATABASE_URL: 'postgres://u:pw@host/db',
        DB_PASS: 'x',
        PLAIN_URL: 'https://example.com',
        HARMLESS: 'sk-ant-0123456789abcdefghij',
      }),
    ).toEqual({ PATH: '/bin', PWD: '/w', PLAIN_URL: 'https://example.com' });
  });

  test('the policy defaults to no network and unsandboxed bash allowed; a subagent gets no more than its parent', () => {
    expect(bashSandbox(resolvePolicy())).toEqual({ network: false, unsandboxed: 'allow' });
    // An agent started before these fields existed gets the same.
    const { bashNetwork: _n, bashUnsandboxed: _u, ...old } = resolvePolicy();
    expect(bashSandbox(old)).toEqual({ network: false, unsandboxed: 'allow' });
    const open = resolvePolicy({ bashNetwork: true });
    const strict = resolvePolicy({ bashUnsandboxed: 'deny' });
    expect(resolvePolicy({}, open).bashNetwork).toBe(true); // layers inherit
    expect(stricterBashPolicy(strict, open)).toEqual({ bashNetwork: false, bashUnsandboxed: 'deny' });
    expect(stricterBashPolicy(open, open)).toEqual({ bashNetwork: true, bashUnsandboxed: 'allow' });
  });

  test('the policy fields are validated, and the bash activity checks what it is given', async () => {
    expect(policyRequestSchema.safeParse({ bashNetwork: 'yes' }).success).toBe(false);
    expect(policyRequestSchema.safeParse({ bashUnsandboxed: 'maybe' }).success).toBe(false);
    expect(policyRequestSchema.safeParse({ bashNetwork: true, bashUnsandboxed: 'deny' }).success).toBe(true);
    const cwd = await mkdtemp(path.join(tmpdir(), 'orchestra-sandbox-'));
    await expect(
      new MockActivityEnvironment().run(bash, {
        agentId: 't',
        cwd,
        args: { command: 'true' },
        sandbox: { network: 'yes' },
      } as never),
    ).rejects.toThrow();
  });
});
