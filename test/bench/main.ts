/**
 * `npm run bench`: the per-turn overhead of a durable agent against a plain in-process
 * loop over the same scripted model, measured side by side in one run.
 * Each turn: one streamed model call with latency L, one list_files tool call.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import Anthropic from '@anthropic-ai/sdk';
import { listFiles } from '../../activities/tools/files';
import { toolDefinition } from '../../src/domain';
import { spawnAgent, waitForAgent } from '../../src/temporal/agents';
import { startHarness } from '../helpers/harness';
import { startScratchServer } from '../helpers/scratch-server';
import { apiLatency } from './api-latency';
import { governanceOverhead } from './governance';
import { swarmScale } from './swarm-scale';

const TURNS = 20;
const LATENCIES_MS = [0, 50];
const REPEATS = 3;

async function plainLoop(sdk: Anthropic, task: string, cwd: string): Promise<void> {
  const messages: Anthropic.MessageParam[] = [{ role: 'user', content: task }];
  for (;;) {
    const reply = await sdk.messages
      .stream({
        model: 'bench',
        max_tokens: 1024,
        messages,
        tools: [toolDefinition('list_files')] as Anthropic.Tool[],
      })
      .finalMessage();
    messages.push({ role: 'assistant', content: reply.content });
    const calls = reply.content.filter((b) => b.type === 'tool_use');
    if (calls.length === 0) return;
    const results = [];
    for (const call of calls) {
      const outcome = await listFiles({ agentId: 'plain', cwd, args: call.input as never });
      results.push({
        type: 'tool_result' as const,
        tool_use_id: call.id,
        content: outcome.ok ? outcome.output : outcome.error,
      });
    }
    messages.push({ role: 'user', content: results });
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-bench-'));
  const server = await startScratchServer(dir);
  const h = await startHarness({ address: server.address });
  const { client, model } = h;
  const defaults = h.defaults;
  const sdk = new Anthropic({ apiKey: 'bench', baseURL: model.url, maxRetries: 0 });
  const cwd = await mkdtemp(path.join(tmpdir(), 'orchestra-bench-ws-'));
  let n = 0;
  const script = (latency: number) => {
    const name = `bench-${n++}`;
    const turn = { toolCalls: [{ name: 'list_files', input: {} }], delayMs: latency };
    model.addScript({
      name,
      match: `[${name}]`,
      turns: [...Array.from({ length: TURNS }, () => turn), { text: 'done', delayMs: latency }],
    });
    return `benchmark [${name}]`;
  };
  const time = async (fn: () => Promise<unknown>) => {
    const started = performance.now();
    await fn();
    return performance.now() - started;
  };
  try {
    await plainLoop(sdk, script(0), cwd); // warm-up: bundle, connections, JIT
    await waitForAgent(client, (await spawnAgent(client, defaults, { task: script(0), cwd })).id);
    console.log(
      `per-turn wall time, ${TURNS + 1} model calls and ${TURNS} tool calls per run, best of ${REPEATS}`,
    );
    console.log('latency L | plain loop | orchestra agent | overhead per turn | ratio');
    for (const latency of LATENCIES_MS) {
      let plain = Infinity;
      let durable = Infinity;
      for (let i = 0; i < REPEATS; i++) {
        plain = Math.min(plain, await time(() => plainLoop(sdk, script(latency), cwd)));
        durable = Math.min(
          durable,
          await time(async () => {
            const { id } = await spawnAgent(client, defaults, { task: script(latency), cwd });
            await waitForAgent(client, id);
          }),
        );
      }
      const turns = TURNS + 1;
      console.log(
        `${String(latency).padStart(6)} ms | ${(plain / turns).toFixed(1).padStart(7)} ms | ${(durable / turns).toFixed(1).padStart(12)} ms |` +
          ` ${((durable - plain) / turns).toFixed(1).padStart(14)} ms | ${(durable / plain).toFixed(2)}x`,
      );
    }
  } finally {
    await h.close();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
    await rm(cwd, { recursive: true, force: true });
  }
}

main()
  .then(() => swarmScale())
  .then(() => apiLatency())
  .then(() => governanceOverhead())
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  });
