/** bash: one shell command in the working directory, with a timeout, an output cap and no secrets. */
import { spawn } from 'node:child_process';
import { Context } from '@temporalio/activity';
import { checkedArgs, type ToolInput, type ToolOutcome } from '../../src/domain';
import { capText } from './outcome';

const DEFAULT_TIMEOUT_SECONDS = 120;
const OUTPUT_CAP_CHARS = 30_000;
/** Environment variables a command never sees: credentials and the orchestrator's own settings. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|AUTH)|^(ANTHROPIC|TEMPORAL|ORCHESTRA)_/i;

export function commandEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => !SECRET_NAME.test(name)));
}

export async function bash({ cwd, args }: ToolInput<'bash'>): Promise<ToolOutcome> {
  const { command, timeoutSeconds = DEFAULT_TIMEOUT_SECONDS } = checkedArgs('bash', args);
  const ctx = Context.current();
  // A process group of its own, so a timeout or a cancel kills the command's children too.
  const child = spawn('bash', ['-c', command], { cwd, env: commandEnv(), detached: true, stdio: 'pipe' });
  let output = '';
  const collect = (chunk: Buffer) => {
    // Keep a little more than the cap while running; capText trims head and tail at the end.
    output = capText(output + chunk.toString('utf8'), OUTPUT_CAP_CHARS * 2);
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const kill = () => {
    if (child.pid !== undefined && child.exitCode === null) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
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
      child.on('close', (code) => resolve(code));
    });
    if (ctx.cancellationSignal.aborted) throw ctx.cancellationSignal.reason;
    const body = capText(output, OUTPUT_CAP_CHARS).trimEnd();
    if (timedOut) return { ok: false, error: `timed out after ${timeoutSeconds}s and was killed\n${body}` };
    const text = `exit code ${exitCode}${body ? `\n${body}` : ''}`;
    return exitCode === 0 ? { ok: true, output: text } : { ok: false, error: text };
  } finally {
    clearTimeout(timer);
    clearInterval(beat);
    ctx.cancellationSignal.removeEventListener('abort', kill);
  }
}
