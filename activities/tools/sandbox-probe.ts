/**
 * Whether the bash sandbox works on this worker, tried once with the flags commands get, and
 * what the worker says at start when it does not.
 */
import { spawn } from 'node:child_process';
import * as os from 'node:os';
import type { Writable } from 'node:stream';
import { Runtime } from '@temporalio/worker';
import { bwrapArgs, SANDBOX_ENV, sandboxMemoryBytes, sandboxMode } from './bwrap';
import { makeScratch } from './sandbox-scratch';
import { setidFilter } from './seccomp';

/** Whether bwrap works here, and whether with the seccomp filter (a kernel without seccomp filters runs it without). */
export type SandboxProbe = { ok: true; seccomp: boolean } | { ok: false; reason: string };
let probed: Promise<SandboxProbe> | undefined;

/** Whether bwrap works here: tried once per worker with the same flags commands get. */
export function probeBwrap(): Promise<SandboxProbe> {
  probed ??= (async (): Promise<SandboxProbe> => {
    const filter = setidFilter();
    const withFilter = filter ? await tryBwrap(filter) : 'no seccomp filter for this architecture';
    if (withFilter === undefined) return { ok: true, seccomp: true };
    const without = await tryBwrap(undefined);
    if (without !== undefined) return { ok: false, reason: without };
    Runtime.instance().logger.warn(
      `the bash sandbox runs without its seccomp filter (${withFilter.split('\n')[0]}): a command ` +
        `can make setuid files, cleared only when its call ends`,
    );
    return { ok: true, seccomp: false };
  })();
  return probed;
}

/** `true` in the sandbox: undefined when it ran, else why not. */
async function tryBwrap(filter: Buffer | undefined): Promise<string | undefined> {
  const scratch = await makeScratch();
  try {
    const request = { cwd: os.tmpdir(), network: false, timeoutSeconds: 10, scratch };
    const args = bwrapArgs(filter ? { ...request, seccompFd: 3 } : request, 'true');
    return await new Promise<string | undefined>((resolve) => {
      const child = spawn('bwrap', args, {
        env: { PATH: process.env.PATH },
        stdio: ['ignore', 'ignore', 'pipe', filter ? 'pipe' : 'ignore'],
        timeout: 30_000,
      });
      const filterPipe = child.stdio[3] as Writable | null;
      filterPipe?.on('error', () => undefined);
      filterPipe?.end(filter);
      let stderr = '';
      child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('error', (err: NodeJS.ErrnoException) =>
        resolve(err.code === 'ENOENT' ? 'bwrap is not installed' : `bwrap fails here: ${err.message}`),
      );
      child.on('close', (code) =>
        resolve(code === 0 ? undefined : `bwrap fails here: ${stderr.trim() || `exit code ${code}`}`),
      );
    });
  } finally {
    await scratch.remove();
  }
}

export type Containment = { kind: 'bwrap'; seccomp: boolean } | { kind: 'none'; reason: string };

/** How this worker contains commands now: the setting, then whether bwrap works. */
export async function containment(env: NodeJS.ProcessEnv = process.env): Promise<Containment> {
  const mode = sandboxMode(env);
  if (mode === 'off') return { kind: 'none', reason: `${SANDBOX_ENV}=off` };
  const probe = await probeBwrap();
  if (probe.ok) return { kind: 'bwrap', seccomp: probe.seccomp };
  if (mode === 'bwrap') throw new Error(`${SANDBOX_ENV}=bwrap, but ${probe.reason}`);
  return { kind: 'none', reason: probe.reason };
}

/** Reasons already warned about: once per process (a test harness starts many workers). */
const announced = new Set<string>();

/**
 * At worker start: check the settings, say loudly when bash commands would run uncontained, and refuse to start
 * when the setting demands bwrap and it does not work (scripts/install-system-tools.sh installs it).
 */
export async function announceSandbox(): Promise<Containment> {
  sandboxMemoryBytes(); // a mistyped cap stops the worker here, not each command later
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
