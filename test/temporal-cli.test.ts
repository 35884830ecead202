/** Driving agents with the real `temporal` CLI: signals, queries and search-attribute listing. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { agentEvents, controlAgent, waitForAgent } from '../src/temporal/agents';
import { useHarness, waitForStatus } from './helpers/harness';
import { until } from './helpers/poll';

const exec = promisify(execFile);
const h = useHarness();

async function temporal(...args: string[]): Promise<string> {
  const binary = process.env.ORCHESTRA_TEST_TEMPORAL_CLI;
  if (!binary) throw new Error('ORCHESTRA_TEST_TEMPORAL_CLI is not set (globalSetup)');
  const { stdout } = await exec(binary, [...args, '--address', h.address]);
  return stdout;
}

const signal = (id: string, name: string, input?: string) =>
  temporal(
    'workflow',
    'signal',
    '--workflow-id',
    `agent-${id}`,
    '--name',
    name,
    ...(input ? ['--input', input] : []),
  );

/** The agent's `ignored` events, once there are `count` of them. */
const ignoredEvents = (id: string, count: number) =>
  until(
    async () => (await agentEvents(h.client, id)).filter((e) => e.type === 'ignored'),
    (ignored) => ignored.length >= count,
    `${count} ignored signal(s) recorded`,
  );

test('pause, resume and cancel through `temporal workflow signal`', async () => {
  const id = await h.spawn({ task: h.busyTask(300) });
  await waitForStatus(h.client, id, (v) => v.status === 'running');

  await signal(id, 'pause', '{"reason":"lunch"}');
  const paused = await waitForStatus(h.client, id, (v) => v.status === 'paused');
  expect(paused.pausedReason).toBe('lunch');

  // Search attributes make the paused agent findable by status.
  const listed = await until(
    () => temporal('workflow', 'list', '--query', `OrchestraStatus="paused" AND WorkflowId="agent-${id}"`),
    (out) => out.includes(`agent-${id}`),
    'the paused agent listed by `temporal workflow list`',
    10_000,
  );
  expect(listed).toContain(`agent-${id}`);

  await signal(id, 'resume');
  await waitForStatus(h.client, id, (v) => v.status === 'running');

  await signal(id, 'cancel', '{"reason":"from the CLI"}');
  expect((await waitForAgent(h.client, id)).status).toBe('cancelled');
});

test('a garbage payload from the CLI is recorded as ignored and the agent carries on', async () => {
  const id = await h.spawn({ task: '', type: 'interactive' });
  await waitForStatus(h.client, id, (v) => v.status === 'idle');
  await signal(id, 'message', '"not an object"');
  await signal(id, 'pause', '{"reason":{"nested":1}}');
  const ignored = await ignoredEvents(id, 2);
  expect(ignored).toEqual([
    expect.objectContaining({ signal: 'message', reason: expect.stringMatching(/^bad payload/) }),
    expect.objectContaining({ signal: 'pause', reason: expect.stringMatching(/^bad payload/) }),
  ]);
  await controlAgent(h.client, id, 'cancel');
});

test('a signal in an encoding no converter knows is recorded as ignored, and the agent still answers and obeys', async () => {
  const id = await h.spawn({ task: '', type: 'interactive' });
  await waitForStatus(h.client, id, (v) => v.status === 'idle');
  // Before the fix, decoding failed before any handler ran: every workflow task failed from then on.
  await temporal(
    'workflow',
    'signal',
    '--workflow-id',
    `agent-${id}`,
    '--name',
    'pause',
    '--input',
    '"x"',
    '--input-meta',
    'encoding=foo/bar',
  );
  const ignored = await ignoredEvents(id, 1);
  expect(ignored).toEqual([
    expect.objectContaining({
      signal: 'pause',
      reason: expect.stringMatching(/^bad payload: .*undecodable/),
    }),
  ]);
  expect((await waitForStatus(h.client, id, (v) => v.status === 'idle')).status).toBe('idle');
  await signal(id, 'cancel', '{"reason":"after the bad one"}');
  expect((await waitForAgent(h.client, id)).status).toBe('cancelled');
});

test('a signal the agent does not know is recorded as ignored, not buffered unseen', async () => {
  const id = await h.spawn({ task: '', type: 'interactive' });
  await waitForStatus(h.client, id, (v) => v.status === 'idle');
  await signal(id, 'pasue', '{"reason":"typo"}');
  const ignored = await ignoredEvents(id, 1);
  expect(ignored).toEqual([expect.objectContaining({ signal: 'pasue', reason: 'no such signal' })]);
  await signal(id, 'cancel');
  expect((await waitForAgent(h.client, id)).status).toBe('cancelled');
});

test('`temporal workflow query --type status` answers with the status contract', async () => {
  const task = h.script([{ text: 'answered' }]);
  const id = await h.spawn({ task, name: 'queried' });
  await waitForAgent(h.client, id);
  const out = await temporal(
    'workflow',
    'query',
    '--workflow-id',
    `agent-${id}`,
    '--type',
    'status',
    '--output',
    'json',
  );
  const parsed = JSON.parse(out);
  const status = parsed.queryResult?.[0] ?? parsed;
  expect(status).toMatchObject({
    id,
    name: 'queried',
    status: 'completed',
    task,
    model: 'claude-scripted-test',
    tokens: { input: expect.any(Number), output: expect.any(Number) },
    toolCalls: 0,
    iterations: 1,
    startedAt: expect.any(String),
    updatedAt: expect.any(String),
    result: 'answered',
  });
});
