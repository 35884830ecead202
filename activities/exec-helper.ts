/**
 * Short commands (git) started by a small helper process instead of the worker itself. Node
 * starts a process with fork(), which copies the parent's page tables: in a worker holding
 * hundreds of MB and twenty threads each start held the event loop ~25 ms and cost ~8 ms of
 * CPU (the helper's own start costs ~2 ms), so a swarm's hundreds of git steps stalled every
 * agent on the worker. The helper is an optimization only: if it cannot be reached, the
 * command runs in this process as before.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';

export interface ExecResult {
  /** The exit code; -1 when the command did not start or was cut short (see `error`). */
  code: number;
  stdout: string;
  stderr: string;
  /** Why it did not start or end on its own (ENOENT, too much output, a signal). */
  error?: string;
}

export interface ExecOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  maxBuffer: number;
}

/** The helper: run each request with execFile and answer with its outcome; gone with its parent. */
const HELPER = `
const { execFile } = require('node:child_process');
process.on('disconnect', () => process.exit(0));
process.on('message', ({ id, file, args, options }) => {
  execFile(file, args, { ...options, encoding: 'utf8' }, (err, stdout, stderr) => {
    const code = !err ? 0 : typeof err.code === 'number' ? err.code : -1;
    process.send({ id, code, stdout, stderr, error: code === -1 ? err.message : undefined });
  });
});
`;

interface Pending {
  resolve(result: ExecResult): void;
  direct(): void;
}

let helper: { child: ChildProcess; pending: Map<number, Pending> } | undefined;
let nextId = 1;

/** Run `file` with `args` to its end, its output collected: never a throw. */
export function execCollect(file: string, args: string[], options: ExecOptions): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve) => {
    const direct = () => void execDirect(file, args, options).then(resolve);
    const running = helperProcess();
    if (!running) return direct();
    const id = nextId++;
    running.pending.set(id, { resolve, direct });
    refWhileBusy(running);
    running.child.send({ id, file, args, options }, (err) => {
      if (err && running.pending.delete(id)) {
        refWhileBusy(running);
        direct();
      }
    });
  });
}

function execDirect(file: string, args: string[], options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve) => {
    execFile(file, args, { ...options, encoding: 'utf8' }, (err, stdout, stderr) => {
      const code = !err ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stdout, stderr, ...(code === -1 && err ? { error: err.message } : {}) });
    });
  });
}

function helperProcess(): typeof helper {
  if (helper) return helper;
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, ['-e', HELPER], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  } catch {
    return undefined;
  }
  const running = { child, pending: new Map<number, Pending>() };
  child.on('message', (message: ExecResult & { id: number }) => {
    const call = running.pending.get(message.id);
    if (!call) return;
    running.pending.delete(message.id);
    refWhileBusy(running);
    const { code, stdout, stderr, error } = message;
    call.resolve({ code, stdout, stderr, ...(error !== undefined ? { error } : {}) });
  });
  // Gone (killed): what it was running runs here, and the next call starts another. A command it
  // had started may still be running; the steps that use this are idempotent, and git's own
  // locks refuse (retryably) a second one at the same time.
  const gone = () => {
    if (helper === running) helper = undefined;
    const calls = [...running.pending.values()];
    running.pending.clear();
    calls.forEach((call) => call.direct());
  };
  child.on('exit', gone);
  child.on('error', gone);
  helper = running;
  refWhileBusy(running);
  return running;
}

/** An idle helper never keeps the process alive; a busy one does, like the commands it runs. */
function refWhileBusy(running: NonNullable<typeof helper>): void {
  const channel = running.child.channel as { ref(): void; unref(): void } | undefined;
  if (running.pending.size > 0) {
    running.child.ref();
    channel?.ref();
  } else {
    running.child.unref();
    channel?.unref();
  }
}
