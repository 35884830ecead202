/**
 * A pending approval is durable: the worker is killed with -9 and the server restarted on
 * the same database while the agent waits; afterwards it is still listed, and answering it
 * lets the agent carry on, with nothing run twice.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { agentStatus, waitForAgent } from '../src/temporal/agents';
import { answerApproval, listApprovals } from '../src/temporal/approvals';
import type { DevServer } from '../src/temporal/dev-server';
import { until } from './helpers/poll';
import { startHarness, waitForStatus, type Harness } from './helpers/harness';
import { freePort } from './helpers/ports';
import { startScratchServer } from './helpers/scratch-server';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

let dir: string;
let server: DevServer;
let h: Harness;
let port: number;
const workers: WorkerProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'orchestra-approval-'));
  port = await freePort();
  server = await startScratchServer(dir, port);
  h = await startHarness({ address: server.address, worker: false });
});
afterAll(async () => {
  await Promise.all(workers.map((w) => w.stop()));
  await h?.close();
  await server?.stop();
  await rm(dir, { recursive: true, force: true });
});

test('an approval pending across a worker kill -9 and a server restart is answered afterwards', async () => {
  const task = h.script([
    { toolCalls: [{ name: 'bash', input: { command: 'echo before >> runs.txt' } }] },
    { toolCalls: [{ name: 'bash', input: { command: 'echo approved >> runs.txt' } }] },
    { text: 'finished after the outage' },
  ]);
  workers.push(startWorkerProcess(h));
  const id = await h.spawn({ task, policy: { autonomy: 'full', tools: { bash: 'ask' } } });
  const first = (await waitForStatus(h.client, id, (v) => v.pendingApprovals.length === 1))
    .pendingApprovals[0];
  await answerApproval(h.client, first, { decision: 'allow' });
  const second = (
    await waitForStatus(h.client, id, (v) => v.pendingApprovals.some((a) => a.callId !== first.callId))
  ).pendingApprovals[0];
  expect(second.input).toEqual({ command: 'echo approved >> runs.txt' });

  workers[0].kill9();
  await server.stop();
  server = await startScratchServer(dir, port);
  workers.push(startWorkerProcess(h));

  // Still there, found by the listing (search attributes and the agent's own state).
  const listed = await until(
    () => listApprovals(h.client).catch(() => []),
    (items) => items.some((a) => a.callId === second.callId),
    'the approval after the restart',
    60_000,
  );
  expect(listed.find((a) => a.callId === second.callId)).toMatchObject({ agentId: id, tool: 'bash' });
  await answerApproval(h.client, second, { decision: 'allow', note: 'go on' });
  expect(await waitForAgent(h.client, id)).toMatchObject({
    status: 'completed',
    result: 'finished after the outage',
    metrics: { toolCalls: 2, iterations: 3 },
  });
  const view = await agentStatus(h.client, id);
  expect(await readFile(path.join(view.cwd, 'runs.txt'), 'utf8')).toBe('before\napproved\n');
});
