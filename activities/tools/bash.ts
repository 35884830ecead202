/**
 * bash: one shell command in the working directory, with a timeout and an output cap, in
 * the sandbox (bwrap.ts) where the worker has one. Where it has none, the agent's policy
 * decides whether the command runs at all; if it does, it runs with secrets removed from
 * its environment, in a process group killed when the call ends.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { Context } from '@temporalio/activity';
import { bashSandboxSchema, checkedArgs, type ToolInput, type ToolOutcome } from '../../src/domain';
import { bwrapArgs, containment, SANDBOX_LIMITS, type Containment } from './bwrap';
import { commandEnv } from './command-env';
import { capText } from './outcome';
import { createPidsCgroup, type PidsCgroup } from './pids-cgroup';

export { commandEnv } from './command-env';

const DEFAULT_TIMEOUT_SECONDS = 120;
const OUTPUT_CAP_CHARS = 30_000;
/** How long output may still arrive after the command exits, before the pipes are closed on it. */
const DRAIN_MS = 2000;

export async function bash({ cwd, args, sandbox }: ToolInput<'bash'>): Promise<ToolOutcome> {
  const { command, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS } = checkedArgs('bash', args);
  // Absent: a call scheduled before the policy said anything; the policy's defaults apply.
  const policy = bashSandboxSchema.parse(sandbox ?? { network: false, unsandboxed: 'allow' });
  let how: Containment;
  try {
    how = await containment();
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
  let cgroup: PidsCgroup | undefined;
  let child: ChildProcess;
  if (how.kind === 'bwrap') {
    cgroup = await createPidsCgroup(SANDBOX_LIMITS.processes);
    const argv = bwrapArgs({ cwd, network: policy.network, timeoutSeconds }, command);
    // bwrap gets a bare environment too: its first process's /proc/<pid>/environ is in view.
    const env = { PATH: process.env.PATH ?? '/usr/bin:/bin' };
    // Into the cgroup before bwrap starts, so nothing the command forks escapes the cap (a
    // refused move leaves the ulimit cap alone, rather than no bash at all).
    const join = '{ echo $$ > "$0"; } 2>/dev/null; exec "$@"';
    child = cgroup
      ? spawn('sh', ['-c', join, cgroup.procs, 'bwrap', ...argv], { ...options, env })
      : spawn('bwrap', argv, { ...options, env });
  } else {
    child = spawn('bash', ['-c', command], { ...options, env: commandEnv() });
  }
  let output = '';
  const collect = (chunk: Buffer) => {
    // Keep a little more than the cap while running; capText trims head and tail at the end.
    output = capText(output + chunk.toString('utf8'), OUTPUT_CAP_CHARS * 2);
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
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    });
    // What the command left running in the background ends with it.
    kill();
    await drained(child);
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    const body = capText(output, OUTPUT_CAP_CHARS).trimEnd();
    if (timedOut) return { ok: false, error: `timed out after ${timeoutSeconds}s and was killed\n${body}` };
    const text = `exit code ${exitCode}${body ? `\n${body}` : ''}`;
    return exitCode === 0 ? { ok: true, output: text } : { ok: false, error: text };
  } finally {
    clearTimeout(timer);
    clearInterval(beat);
    ctx.cancellationSignal.removeEventListener('abort', kill);
    await cgroup?.remove();
  }
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
