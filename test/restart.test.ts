/**
 * Durability against a server restart: stop the dev server mid-session, start it again
 * on the same database file, and the agent carries on and completes.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { agentStatus, waitForAgent } from '../src/temporal/agents';
import type { DevServer } from '../src/temporal/dev-server';
import { startHarness, waitForStatus, type Harness } from './helpers/harness';
import { freePort } from './helpers/ports';
import { startScratchServer } from './helpers/scratch-server';

let dir: string;
let server: DevServer;
let h: Harness;
let port: number;

const start = () => startScratchServer(dir, port);

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchestra-restart-'));
  port = await freePort();
  server = await start();
  h = await startHarness({ address: server.address });
});
afterAll(async () => {
  await h?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('the dev server stops mid-session and restarts on the same database; the agent completes', async () => {
  const task = h.script([
    { toolCalls: [{ name: 'bash', input: { command: 'echo first >> runs.txt' } }] },
    { toolCalls: [{ name: 'bash', input: { command: 'echo second >> runs.txt' } }], delayMs: 2000 },
    { text: 'survived the restart' },
  ]);
  const id = await h.spawn({ task });
  await waitForStatus(h.client, id, () =>
    h.model.requests.some((r) => task.includes(`[${r.script}]`) && r.turn === 1),
  );

  await server.stop();
  await new Promise((r) => setTimeout(r, 1000));
  server = await start();

  const result = await waitForAgent(h.client, id);
  expect(result).toMatchObject({
    status: 'completed',
    result: 'survived the restart',
    metrics: { toolCalls: 2, iterations: 3 },
  });
  const view = await agentStatus(h.client, id);
  expect(await readFile(path.join(view.cwd, 'runs.txt'), 'utf8')).toBe('first\nsecond\n');
});
