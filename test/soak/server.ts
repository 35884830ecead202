/**
 * Every soak scenario's setting: a fresh dev server on a fixed loopback port with its database
 * in a temporary directory (so it can be stopped and started again on the same file), a harness
 * on it whose agents work in that directory too, and helpers to read what agents did. All removed after.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { agentTranscript } from '../../src/temporal/agents';
import type { DevServer } from '../../src/temporal/dev-server';
import { startHarness, type Harness, type HarnessOptions } from '../helpers/harness';
import { freePort } from '../helpers/ports';
import { startScratchServer } from '../helpers/scratch-server';

/**
 * Limits for an agent kept busy for the whole scenario: the default 50 model calls, or 2 M tokens
 * (each call sends the whole conversation, so a long busy loop spends them fast), would end it.
 */
export const BUSY_LIMITS = { maxIterations: 10_000, maxToolCalls: 100_000, maxTokens: 1e9 };

export interface Setting {
  h: Harness;
  server: () => DevServer;
  /** Stop the server, wait `downMs`, start it again on the same database and port; resolves once it is up, with when each happened. */
  restart(downMs: number): Promise<{ stoppedAt: number; startAt: number; upAt: number }>;
}

export async function withSetting<T>(
  options: Omit<HarnessOptions, 'address'>,
  fn: (s: Setting) => Promise<T>,
): Promise<T> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-soak-'));
  const port = await freePort();
  let server = await startScratchServer(dir, port);
  const h = await startHarness({ address: server.address, ...options });
  // Agents' working directories inside the scenario's directory, so they go with it (h.spawn uses this too).
  h.tempDir = () => mkdtemp(path.join(dir, 'dir-'));
  try {
    return await fn({
      h,
      server: () => server,
      async restart(downMs) {
        await server.stop();
        const stoppedAt = Date.now();
        await new Promise((r) => setTimeout(r, downMs));
        const startAt = Date.now();
        server = await startScratchServer(dir, port);
        return { stoppedAt, startAt, upAt: Date.now() };
      },
    });
  } finally {
    await h.close().catch(() => undefined);
    await server.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** The results of an agent's tool calls, in order, whole as the model got them (events hold previews). */
export async function toolResults(h: Harness, id: string): Promise<{ ok: boolean; output: string }[]> {
  const messages = await agentTranscript(h.client, id);
  return messages.flatMap((m) =>
    m.content.flatMap((b) =>
      b.type === 'tool_result' ? [{ ok: b.is_error !== true, output: b.content }] : [],
    ),
  );
}
