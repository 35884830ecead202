/**
 * bash: one shell command in the working directory, with a timeout and an output cap, in
 * the sandbox (bwrap.ts) where the worker has one. Where it has none, the agent's policy
 * decides whether the command runs at all; if it does, it runs with secrets removed from
 * its environment, in a process group killed when the call ends.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { constants } from 'node:fs';
import { open, readlink, type FileHandle } from 'node:fs/promises';
import { Context } from '@temporalio/activity';
import { bashSandboxSchema, checkedArgs, type ToolInput, type ToolOutcome } from '../../src/domain';
import { checkWorkdir, WorkdirError } from '../../src/workdir';
import type { Writable } from 'node:stream';
import { bwrapArgs, SANDBOX_LIMITS, sandboxMemoryBytes } from './bwrap';
import { containment, type Containment } from './sandbox-probe';
import { commandEnv } from './command-env';
import { createCommandCgroup, type CommandCgroup } from './command-cgroup';
import { OutputTail } from './output-tail';
import { makeScratch, type Scratch } from './sandbox-scratch';
import { setidFilter } from './seccomp';
import { clearSetid } from './setid-sweep';

export { commandEnv } from './command-env';

const DEFAULT_TIMEOUT_SECONDS = 120;
const OUTPUT_CAP_CHARS = 30_000;
/** Raw bytes kept of the head and of the tail: enough for the cap's halves in any UTF-8. */
const OUTPUT_KEEP_BYTES = OUTPUT_CAP_CHARS * 2;
/** Output past this (1 GiB) kills the command: reading a flood costs the worker's main thread. */
const OUTPUT_KILL_BYTES = 2 ** 30;
/**
 * How bwrap starts: first the descriptors the worker inherited from its launcher without
 * close-on-exec are closed, so none reaches the sandbox (3 and 4 stay: the working directory
 * and the seccomp filter, which bwrap uses and closes). Then into the command's cgroups
 * (`$0`, `:`-separated, when there are any) before bwrap starts, so nothing the command forks
 * escapes the caps (a refused move leaves the ulimit caps alone, rather than no bash at all).
 */
const LAUNCH = [
  'for fd in /proc/self/fd/*; do fd=${fd##*/}; case $fd in 0|1|2|3|4|*[!0-9]*) ;; *) eval "exec $fd>&-" ;; esac; done',
  'IFS=: read -ra procs <<< "$0"; for p in "${procs[@]}"; do { echo $$ > "$p"; } 2>/dev/null; done',
  // Errors and output in one pipe, in the order the command wrote them (see below).
  'exec "$@" 2>&1',
].join('\n');
/** How long output may still arrive after the command exits, before the pipes are closed on it. */
const DRAIN_MS = 2000;

export async function bash({ cwd, args, sandbox }: ToolInput<'bash'>): Promise<ToolOutcome> {
  const { command, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS } = checkedArgs('bash', args);
  // Absent: a call scheduled before the policy said anything; the policy's defaults apply.
  const policy = bashSandboxSchema.parse(sandbox ?? { network: false, unsandboxed: 'allow' });
  let real: string;
  try {
    // A directory swapped for a link since the agent started, or a system one: no command runs.
    real = checkWorkdir(cwd);
  } catch (err) {
    if (err instanceof WorkdirError) return { ok: false, error: err.message };
    throw err;
  }
  let how: Containment;
  let memoryBytes: number;
  try {
    how = await containment();
    memoryBytes = sandboxMemoryBytes();
  } catch (err) {
    return { ok: false, error: `refused: ${(err as Error).message}` };
  }
  if (how.kind === 'none' && policy.unsandboxed === 'deny') {
    return {
      ok: false,
      error:
        `refused: this worker has no sandbox for bash (${how.reason}), and this agent's policy ` +
        `(bashUnsandboxed: "deny") does not let commands run without one`,
    };
  }
  const ctx = Context.current();
  // A process group of its own, so the call's end kills the command's children too.
  const options: SpawnOptions = { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] };
  let dir: FileHandle | undefined;
  let cgroup: CommandCgroup | undefined;
  let scratch: Scratch | undefined;
  let child: ChildProcess;
  if (how.kind === 'bwrap') {
    try {
      dir = await openWorkdir(real);
    } catch (err) {
      return {
        ok: false,
        error: err instanceof WorkdirError ? err.message : `refused: ${(err as Error).message}`,
      };
    }
    scratch = await makeScratch();
    const filter = how.seccomp ? setidFilter() : undefined;
    // bwrap binds the directory opened here (its fd 3), not what the name points at by then,
    // and reads the seccomp filter from its fd 4.
    const argv = bwrapArgs(
      {
        cwd: real,
        cwdFd: 3,
        network: policy.network,
        timeoutSeconds,
        scratch,
        ...(filter ? { seccompFd: 4 } : {}),
      },
      command,
    );
    // bwrap gets a bare environment too: its first process's /proc/<pid>/environ is in view.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    cgroup = await createCommandCgroup({ processes: SANDBOX_LIMITS.processes, memoryBytes });
    child = spawn('bash', ['-c', LAUNCH, cgroup?.procs.join(':') ?? '', 'bwrap', ...argv], {
      ...options,
      cwd: real,
      env,
      stdio: ['ignore', 'pipe', 'pipe', dir.fd, filter ? 'pipe' : 'ignore'],
    });
    const filterPipe = child.stdio[4] as Writable | null;
    filterPipe?.on('error', () => undefined); // bwrap gone early: its own exit says why
    filterPipe?.end(filter);
  } else {
    // stderr into stdout's pipe: read from two pipes, a message written first could reach the
    // model after later output. The command runs in a bash of its own, so its errors still
    // name their line as it wrote it.
    child = spawn('bash', ['-c', 'exec bash -c "$1" 2>&1', 'bash', command], {
      ...options,
      env: commandEnv(),
    });
  }
  const output = new OutputTail(OUTPUT_KEEP_BYTES);
  let flooded = false;
  const collect = (chunk: Buffer) => {
    output.push(chunk);
    if (output.total > OUTPUT_KILL_BYTES && !flooded) {
      flooded = true;
      kill();
    }
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  // Killing bwrap kills its pid namespace (--die-with-parent); without it, the group goes.
  const kill = () => {
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    kill();
  }, timeoutSeconds * 1000);
  const beat = setInterval(() => ctx.heartbeat(), 1000);
  ctx.cancellationSignal.addEventListener('abort', kill);
  let exitCode: number | null;
  let swept = '';
  let outOfMemory = false;
  try {
    exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    });
    // What the command left running in the background ends with it.
    kill();
    await drained(child);
  } finally {
    clearTimeout(timer);
    clearInterval(beat);
    ctx.cancellationSignal.removeEventListener('abort', kill);
    outOfMemory = (await cgroup?.outOfMemory()) ?? false;
    await cgroup?.remove();
    await scratch?.remove();
    // However the call ended: the sandbox is dead by now, and what it left is looked at.
    if (dir) swept = await sweep(dir).finally(() => dir?.close());
  }
  if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
  let body = [output.text(OUTPUT_CAP_CHARS).trimEnd(), swept].filter(Boolean).join('\n');
  if (timedOut) return { ok: false, error: `timed out after ${timeoutSeconds}s and was killed\n${body}` };
  if (outOfMemory)
    body = `[killed by the kernel: the command passed its memory cap of ${memoryBytes / 2 ** 20} MiB]\n${body}`;
  if (flooded)
    return { ok: false, error: `killed: its output passed ${OUTPUT_KILL_BYTES / 2 ** 30} GiB\n${body}` };
  const text = `exit code ${exitCode}${body ? `\n${body}` : ''}`;
  return exitCode === 0 ? { ok: true, output: text } : { ok: false, error: text };
}

/** Clear the setuid/setgid bits the command left in the directory; what the model should be told of it. */
async function sweep(dir: FileHandle): Promise<string> {
  try {
    const { cleared, incomplete } = await clearSetid(dir);
    const shown = cleared.slice(0, 20).join(', ') + (cleared.length > 20 ? ', ...' : '');
    const notes = [
      cleared.length ? `[setuid/setgid bits cleared on ${cleared.length} file(s): ${shown}]` : '',
      incomplete ? `[the check for setuid/setgid files fell short: ${incomplete}]` : '',
    ];
    return notes.filter(Boolean).join('\n');
  } catch (err) {
    return `[the check for setuid/setgid files failed: ${(err as Error).message}]`;
  }
}

/**
 * The working directory opened, and still the one checked: its descriptor is what bwrap binds
 * and what the sweep walks, so a swap after this point changes neither.
 */
async function openWorkdir(real: string): Promise<FileHandle> {
  const dir = await open(real, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  const opened = await readlink(`/proc/self/fd/${dir.fd}`).catch(() => undefined);
  if (opened !== real) {
    await dir.close();
    throw new WorkdirError(`refused: the working directory ${real} now resolves to ${opened}`);
  }
  return dir;
}

/** The output still in the pipes; a process that escaped the kill must not hold the call open. */
function drained(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.stdout?.closed !== false && child.stderr?.closed !== false) return resolve();
    const timer = setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
      resolve();
    }, DRAIN_MS);
    child.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
