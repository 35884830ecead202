/**
 * The bash sandbox: bubblewrap (`bwrap`) runs each command in namespaces of its own. It sees
 * the machine's files read-only with the worker's private ones hidden (its home, its working
 * directory, /tmp, /run, the config and token files), writes only the agent's working
 * directory and a scratch /tmp and home of its own (sandbox-scratch.ts), sees no other
 * process and none of the worker's environment, has no network unless the agent's policy
 * allows it, cannot make setuid files (seccomp.ts), and runs under limits. When the command
 * exits, the pid namespace dies and takes every process it started with it.
 */
import { existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { z } from 'zod';
import { commandEnv } from './command-env';
import type { Scratch } from './sandbox-scratch';

export const SANDBOX_ENV = 'ORCHESTRA_SANDBOX';
/** Extra paths (`:`-separated) a sandboxed command must not see, e.g. other agents' checkouts. */
export const SANDBOX_HIDE_ENV = 'ORCHESTRA_SANDBOX_HIDE';

/** auto: bwrap when it works here; bwrap: bwrap or no bash at all; off: never (policy decides). */
export const SANDBOX_MODES = ['auto', 'bwrap', 'off'] as const;
export type SandboxMode = (typeof SANDBOX_MODES)[number];

/** Limits a sandboxed command runs under: `ulimit` hard limits, and cgroups where they are writable (command-cgroup.ts). */
export const SANDBOX_LIMITS = {
  /** Processes (threads included) at once. @default 512 */
  processes: 512,
  /** Memory the whole command holds (resident, and its files in memory), in MiB; ORCHESTRA_SANDBOX_MEMORY_MIB. @default 4096 */
  memoryMiB: 4096,
  /** Largest file the command writes, in MiB. @default 4096 */
  fileSizeMiB: 4096,
  /** Address space per process, in GiB: generous, since node and java reserve far more than they use. @default 32 */
  virtualMemoryGiB: 32,
  /** Open files per process. @default 4096 */
  openFiles: 4096,
  /** CPU seconds per process, as a multiple of the command's timeout (threads add up). @default 4 */
  cpuPerTimeoutSecond: 4,
} as const;

export const SANDBOX_MEMORY_ENV = 'ORCHESTRA_SANDBOX_MEMORY_MIB';

/** The memory cap of one command, in bytes: the setting, else the default. */
export function sandboxMemoryBytes(env: NodeJS.ProcessEnv = process.env): number {
  const value = env[SANDBOX_MEMORY_ENV] || String(SANDBOX_LIMITS.memoryMiB);
  const parsed = z.coerce.number().int().min(16).max(1_048_576).safeParse(value);
  if (!parsed.success)
    throw new Error(`${SANDBOX_MEMORY_ENV} must be a whole number of MiB from 16 to 1048576, not "${value}"`);
  return parsed.data * 2 ** 20;
}

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
  /** The call's own /tmp, home and /dev/shm, on disk. */
  scratch: Pick<Scratch, 'tmp' | 'home' | 'shm'>;
  /** A descriptor bwrap inherits holding the seccomp filter (seccomp.ts), where this arch has one. */
  seccompFd?: number;
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

/** The hidden dirs a command writes in (HOME, TMPDIR), from the call's scratch: the rest are read-only. */
function writableStandIn(p: string, home: string, scratch: BwrapRequest['scratch']): string | undefined {
  if (p === home) return scratch.home;
  if (p === '/tmp' || p === '/var/tmp') return scratch.tmp;
  return undefined;
}

/** The `bwrap` argv (without the program) that runs `bash -c <command>` contained. */
export function bwrapArgs(request: BwrapRequest, command: string): string[] {
  const env = request.env ?? process.env;
  const cwd = real(request.cwd) ?? request.cwd;
  // bash.ts refuses these first (src/workdir.ts); here they would make the machine writable.
  if (KERNEL_DIRS.some((dir) => contains(dir, cwd)) || !path.isAbsolute(cwd) || cwd === '/')
    throw new Error(`refused: ${cwd} cannot be a sandbox's working directory`);
  const home = real(os.homedir()) ?? os.homedir();
  // Hidden dirs are empty tmpfs mounts, made read-only once everything inside them is bound:
  // memory nothing caps otherwise. The two a command writes in come from the scratch on disk.
  const readOnly: string[] = [];
  const hide = (p: string): string[] => {
    if (!statSync(p, { throwIfNoEntry: false })?.isDirectory()) return ['--ro-bind', '/dev/null', p];
    const standIn = writableStandIn(p, home, request.scratch);
    if (standIn) return ['--bind', standIn, p];
    readOnly.push(p);
    return ['--tmpfs', p];
  };
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
    ...(request.seccompFd === undefined ? [] : ['--seccomp', String(request.seccompFd)]),
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
  // Parents before what they hold (the worker's own dir under /tmp): a mount made first would
  // vanish under its parent's, and could not then be made read-only.
  const inside = hidden.filter((p) => !contains(p, cwd)).sort((a, b) => a.length - b.length);
  // The working directory before /proc and /dev: whatever it is, it cannot stand in for them.
  const bind = request.cwdFd === undefined ? ['--bind', cwd, cwd] : ['--bind-fd', String(request.cwdFd), cwd];
  args.push(...around.flatMap(hide), ...bind);
  args.push('--proc', '/proc', ...PROC_READ_ONLY, '--dev', '/dev', '--bind', request.scratch.shm, '/dev/shm');
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
  // Last, so the mounts inside them were made first: /dev's own tmpfs too (its nodes still work).
  args.push(...[...readOnly, '/dev'].flatMap((p) => ['--remount-ro', p]));
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
