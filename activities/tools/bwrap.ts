/**
 * The bash sandbox: bubblewrap (`bwrap`) runs each command in namespaces of its own. It sees
 * the machine's files read-only with the worker's private ones hidden (its home, its working
 * directory, /tmp, /run, the config and token files), writes only the agent's working
 * directory, sees no other process and none of the worker's environment, has no network
 * unless the agent's policy allows it, and runs under limits. When the command exits, the
 * pid namespace dies and takes every process it started with it.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Runtime } from '@temporalio/worker';
import { z } from 'zod';
import { commandEnv } from './command-env';

export const SANDBOX_ENV = 'ORCHESTRA_SANDBOX';
/** Extra paths (`:`-separated) a sandboxed command must not see, e.g. other agents' checkouts. */
export const SANDBOX_HIDE_ENV = 'ORCHESTRA_SANDBOX_HIDE';

/** auto: bwrap when it works here; bwrap: bwrap or no bash at all; off: never (policy decides). */
export const SANDBOX_MODES = ['auto', 'bwrap', 'off'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/** Limits a sandboxed command runs under: `ulimit` hard limits, and a pids cgroup where one is writable. */
export const SANDBOX_LIMITS = {
  /** Processes (threads included) at once. @default 512 */
  processes: 512,
  /** Largest file the command writes, in MiB. @default 4096 */
  fileSizeMiB: 4096,
  /** Address space per process, in GiB: generous, since node and java reserve far more than they use. @default 32 */
  virtualMemoryGiB: 32,
  /** Open files per process. @default 4096 */
  openFiles: 4096,
  /** CPU seconds per process, as a multiple of the command's timeout (threads add up). @default 4 */
  cpuPerTimeoutSecond: 4,
} as const;

export function sandboxMode(env: NodeJS.ProcessEnv = process.env): SandboxMode {
  const value = env[SANDBOX_ENV] || 'auto';
  const parsed = z.enum(SANDBOX_MODES).safeParse(value);
  if (!parsed.success) throw new Error(`${SANDBOX_ENV} must be auto, bwrap or off, not "${value}"`);
  return parsed.data;
}

/** Variables a sandboxed command gets (when commandEnv also lets them through): locale, terminal, toolchains. */
const PASSED_ENV =
  /^(PATH|LANG|LANGUAGE|LC_[A-Z]+|TERM|COLORTERM|TZ|USER|LOGNAME|SHELL|NO_COLOR|FORCE_COLOR|CI|GOPATH)$|_(HOME|ROOT)$/;
/**
 * Variables naming the worker's private files and dirs, whose targets are hidden: its config
 * and state (ORCHESTRA_CONFIG, ORCHESTRA_HOME, ORCHESTRA_*_FILE, ORCHESTRA_SANDBOX_HIDE), the
 * Temporal client's TLS key, certificates and config file (TEMPORAL_*_PATH, TEMPORAL_*_FILE),
 * any key, token, password or credentials file by its name (SSL_KEY_FILE, PGPASSFILE,
 * AWS_WEB_IDENTITY_TOKEN_FILE), and the usual cloud and tool credentials.
 */
const PRIVATE_PATH_ENV = new RegExp(
  [
    '^ORCHESTRA_(\\w+_)?(FILE|HOME|CONFIG|HIDE)$',
    '^TEMPORAL_\\w*(_PATH|_FILE)$',
    '(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASS|CREDENTIALS?)_?(FILE|PATH|DIR)$',
    '^(GOOGLE_APPLICATION_CREDENTIALS|AWS_CONFIG_FILE|KUBECONFIG|DOCKER_CONFIG|NETRC|SSH_AUTH_SOCK)$',
  ].join('|'),
);
/** Inside a home directory these dirs (from PATH) are toolchains, shown read-only; rustup's proxies need `.rustup`. */
const TOOLCHAIN_COMPANIONS: Record<string, string[]> = { '.cargo': ['.rustup'] };
/** Credentials inside shown toolchains, hidden again. */
const TOOLCHAIN_SECRETS = ['.cargo/credentials', '.cargo/credentials.toml'];

export interface BwrapRequest {
  cwd: string;
  /**
   * A descriptor of `cwd` that bwrap inherits: bound instead of the path, so a directory
   * swapped for a link after the worker checked it is not what the sandbox gets.
   */
  cwdFd?: number;
  network: boolean;
  /** The command's timeout: its CPU limit derives from it. */
  timeoutSeconds: number;
  env?: NodeJS.ProcessEnv;
}

const contains = (dir: string, p: string) => p === dir || p.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
const real = (p: string): string | undefined => {
  try {
    return realpathSync(p);
  } catch {
    return undefined;
  }
};

/** System files a sandbox running as root (without capabilities, but still their owner) could read. */
function systemSecrets(): string[] {
  const ssh = '/etc/ssh';
  const hostKeys = existsSync(ssh)
    ? readdirSync(ssh)
        .filter((f) => /^ssh_host_.*_key$/.test(f))
        .map((f) => path.join(ssh, f))
    : [];
  return ['/etc/shadow', '/etc/shadow-', '/etc/gshadow', '/etc/gshadow-', '/etc/ssl/private', ...hostKeys];
}

/** What a command must not see: the worker's own places and files, and people's homes. */
function privatePaths(env: NodeJS.ProcessEnv): string[] {
  const listed = [
    os.homedir(),
    '/home',
    '/root',
    process.cwd(),
    os.tmpdir(),
    '/tmp',
    '/var/tmp',
    '/run',
    ...Object.entries(env).flatMap(([name, value]) =>
      PRIVATE_PATH_ENV.test(name) && value ? value.split(':') : [],
    ),
    ...systemSecrets(),
  ];
  const paths = listed.flatMap((p) => (p ? [real(path.resolve(p))] : [])).filter((p) => p && p !== '/');
  return [...new Set(paths as string[])];
}

/**
 * The parts of the sandbox's fresh /proc a root command could write to reach the host: the
 * sysctls (kernel.core_pattern runs a program as root on the host), sysrq, the few others
 * Docker also mounts read-only, and mtrr. Capabilities are dropped, but many sysctls check
 * only that the writer is uid 0.
 */
const PROC_READ_ONLY = ['sys', 'sysrq-trigger', 'irq', 'bus', 'fs', 'mtrr'].flatMap((p) => [
  '--ro-bind-try',
  `/proc/${p}`,
  `/proc/${p}`,
]);
/** What the sandbox mounts afresh; a working directory in them, or `/`, is refused. */
const KERNEL_DIRS = ['/proc', '/sys', '/dev'];

/** Toolchain dirs under `home` that PATH runs programs from (pyenv, cargo, go, nvm), to show read-only. */
function toolchains(home: string, env: NodeJS.ProcessEnv): string[] {
  const dirs = new Set<string>();
  for (const entry of (env.PATH ?? '').split(':')) {
    const rel = path.relative(home, entry);
    if (!entry || !path.isAbsolute(entry) || !rel || rel.startsWith('..')) continue;
    const top = rel.split(path.sep)[0];
    // ~/.local holds keyrings and app data besides its bin: show only what programs need.
    const shown =
      top === '.local' ? ['.local/bin', '.local/lib'] : [top, ...(TOOLCHAIN_COMPANIONS[top] ?? [])];
    for (const d of shown) dirs.add(path.join(home, d));
  }
  return [...dirs].filter((d) => existsSync(d));
}

/** Hide a dir behind an empty writable tmpfs, a file behind /dev/null. */
const hide = (p: string): string[] =>
  statSync(p, { throwIfNoEntry: false })?.isDirectory() ? ['--tmpfs', p] : ['--ro-bind', '/dev/null', p];

/** The `bwrap` argv (without the program) that runs `bash -c <command>` contained. */
export function bwrapArgs(request: BwrapRequest, command: string): string[] {
  const env = request.env ?? process.env;
  const cwd = real(request.cwd) ?? request.cwd;
  // bash.ts refuses these first (src/workdir.ts); here they would make the machine writable.
  if (KERNEL_DIRS.some((dir) => contains(dir, cwd)) || !path.isAbsolute(cwd) || cwd === '/')
    throw new Error(`refused: ${cwd} cannot be a sandbox's working directory`);
  const home = real(os.homedir()) ?? os.homedir();
  const args = [
    '--die-with-parent',
    '--new-session',
    '--unshare-pid',
    '--unshare-ipc',
    '--unshare-uts',
    '--unshare-cgroup-try',
    ...(request.network ? [] : ['--unshare-net']),
    '--cap-drop',
    'ALL',
    '--clearenv',
    ...Object.entries(sandboxEnv(env, home)).flatMap(([k, v]) => ['--setenv', k, v]),
    '--ro-bind',
    '/',
    '/',
  ];
  // A hidden dir that holds the working directory is hidden first, then the working
  // directory bound back into it; one inside the working directory is hidden after.
  const hidden = privatePaths(env).filter((p) => p !== cwd && existsSync(p));
  const around = hidden.filter((p) => contains(p, cwd)).sort((a, b) => a.length - b.length);
  const inside = hidden.filter((p) => !contains(p, cwd));
  // The working directory before /proc and /dev: whatever it is, it cannot stand in for them.
  const bind = request.cwdFd === undefined ? ['--bind', cwd, cwd] : ['--bind-fd', String(request.cwdFd), cwd];
  args.push(...around.flatMap(hide), ...bind);
  args.push('--proc', '/proc', ...PROC_READ_ONLY, '--dev', '/dev');
  args.push(...inside.flatMap(hide));
  // The toolchains on PATH under the hidden home come back read-only, their credentials not.
  if (hidden.some((p) => contains(p, home))) {
    const shown = toolchains(home, env).filter((d) => !contains(cwd, d));
    const secrets = TOOLCHAIN_SECRETS.map((s) => path.join(home, s)).filter((s) => existsSync(s));
    args.push(...shown.flatMap((d) => ['--ro-bind', d, d]));
    args.push(...secrets.filter((s) => shown.some((d) => contains(d, s))).flatMap(hide));
  }
  // With the network on, name resolution must still work when resolv.conf lives under /run.
  const resolv = real('/etc/resolv.conf');
  if (request.network && resolv && hidden.some((p) => contains(p, resolv)))
    args.push('--ro-bind', resolv, resolv);
  args.push('--chdir', cwd, '--', 'bash', '-c', limitsPrefix(request.timeoutSeconds), 'bash', command);
  return args;
}

/** `ulimit` hard limits, then the command itself (as `$1`, never spliced into the script). */
function limitsPrefix(timeoutSeconds: number): string {
  const l = SANDBOX_LIMITS;
  const cpu = Math.max(1, Math.ceil(timeoutSeconds * l.cpuPerTimeoutSecond));
  const limits = [
    `-u ${l.processes}`,
    `-f ${l.fileSizeMiB * 2048}`,
    `-v ${l.virtualMemoryGiB * 1024 * 1024}`,
    `-n ${l.openFiles}`,
    `-t ${cpu}`,
    '-c 0',
  ];
  // One at a time, errors ignored: a limit the worker already holds lower stays lower.
  return `${limits.map((x) => `ulimit ${x} 2>/dev/null;`).join(' ')} exec bash -c "$1"`;
}

/** The sandbox's whole environment: a few harmless variables, HOME an empty writable dir, TMPDIR fresh. */
export function sandboxEnv(env: NodeJS.ProcessEnv, home: string): Record<string, string> {
  const passed = Object.entries(commandEnv(env)).filter(([k, v]) => PASSED_ENV.test(k) && v !== undefined);
  return { ...Object.fromEntries(passed as [string, string][]), HOME: home, TMPDIR: '/tmp' };
}

export type SandboxProbe = { ok: true } | { ok: false; reason: string };
let probed: Promise<SandboxProbe> | undefined;

/** Whether bwrap works here: tried once per worker with the same flags commands get. */
export function probeBwrap(): Promise<SandboxProbe> {
  probed ??= new Promise((resolve) => {
    const args = bwrapArgs({ cwd: os.tmpdir(), network: false, timeoutSeconds: 10 }, 'true');
    execFile('bwrap', args, { env: { PATH: process.env.PATH }, timeout: 30_000 }, (err, _out, stderr) => {
      if (!err) return resolve({ ok: true });
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      resolve({
        ok: false,
        reason: missing ? 'bwrap is not installed' : `bwrap fails here: ${stderr.trim() || err.message}`,
      });
    });
  });
  return probed;
}

export type Containment = { kind: 'bwrap' } | { kind: 'none'; reason: string };

/** How this worker contains commands now: the setting, then whether bwrap works. */
export async function containment(env: NodeJS.ProcessEnv = process.env): Promise<Containment> {
  const mode = sandboxMode(env);
  if (mode === 'off') return { kind: 'none', reason: `${SANDBOX_ENV}=off` };
  const probe = await probeBwrap();
  if (probe.ok) return { kind: 'bwrap' };
  if (mode === 'bwrap') throw new Error(`${SANDBOX_ENV}=bwrap, but ${probe.reason}`);
  return { kind: 'none', reason: probe.reason };
}

/** Reasons already warned about: once per process (a test harness starts many workers). */
const announced = new Set<string>();

/**
 * At worker start: say loudly when bash commands would run uncontained, and refuse to start
 * when the setting demands bwrap and it does not work (scripts/install-system-tools.sh installs it).
 */
export async function announceSandbox(): Promise<Containment> {
  const how = await containment();
  if (how.kind === 'none' && !announced.has(how.reason)) {
    announced.add(how.reason);
    Runtime.instance().logger.warn(
      `NO SANDBOX for bash (${how.reason}): agents' commands run as this worker's user, with its ` +
        `files, processes and network in reach, and only secret-looking variables removed from ` +
        `their environment. Agents whose policy says bashUnsandboxed: "deny" will not run bash. Install ` +
        `bubblewrap (scripts/install-system-tools.sh), or see "${SANDBOX_ENV}" in the README.`,
    );
  }
  return how;
}
