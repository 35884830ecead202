/** Driving bash through real agents for the sandbox suites: a command in, the tool result out. */
import { spawnSync } from 'node:child_process';
import type { PolicyRequest } from '../../src/domain';
import { agentTranscript, waitForAgent } from '../../src/temporal/agents';
import type { Harness } from './harness';

/** Known before the suites are declared, so a machine without bwrap skips them (CI never does). */
export const HAVE_BWRAP = spawnSync('bwrap', ['--ro-bind', '/', '/', 'true']).status === 0;

export interface BashResult {
  text: string;
  isError: boolean;
}

/** An agent whose one step is `command` (after `delayMs` of model time); its id. */
export function spawnBash(
  h: Harness,
  command: string,
  options: { cwd?: string; policy?: PolicyRequest; delayMs?: number } = {},
): Promise<string> {
  const task = h.script([
    { toolCalls: [{ name: 'bash', input: { command, timeoutSeconds: 120 } }], delayMs: options.delayMs ?? 0 },
    { text: 'done' },
  ]);
  return h.spawn({
    task,
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
}

/** The agent's bash result as the model (and the history) got it, once the agent has ended. */
export async function bashResult(h: Harness, id: string): Promise<BashResult> {
  const result = await waitForAgent(h.client, id);
  if (result.status !== 'completed') throw new Error(`agent ${id} ended ${result.status}`);
  const blocks = (await agentTranscript(h.client, id)).flatMap((m) => m.content);
  const block = blocks.find((b) => b.type === 'tool_result');
  if (block?.type !== 'tool_result') throw new Error('the agent recorded no tool result');
  return { text: block.content, isError: block.is_error === true };
}

/** `fn` with the sandbox switched off by setting for the duration. */
export async function unsandboxed<T>(fn: () => Promise<T>): Promise<T> {
  process.env.ORCHESTRA_SANDBOX = 'off';
  try {
    return await fn();
  } finally {
    delete process.env.ORCHESTRA_SANDBOX;
  }
}
