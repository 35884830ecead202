/**
 * Prometheus metrics from a real `orchestra worker` process (the SDK's runtime, and so its
 * exporter, is one per process): the SDK's own and Orchestra's, scraped over HTTP.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { controlAgent, spawnAgent, waitForAgent } from '../src/temporal/agents';
import { CLI } from './helpers/cli';
import { TEST_MODEL, useHarness, waitForStatus } from './helpers/harness';
import { until } from './helpers/poll';
import { freePort } from './helpers/ports';

const h = useHarness({ worker: false });
let worker: ChildProcess | undefined;
afterAll(() => worker?.kill('SIGTERM'));

/** The metrics page once `done` holds on it: the exporter serves a moment after the worker starts. */
const scrape = (url: string, done: (text: string) => boolean): Promise<string> =>
  until(() => fetch(url).then((r) => r.text()), done, `the metrics at ${url}`, 30_000, 200);

/** The value of the first sample of `name` whose labels include every one of `labels`. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.split(' ').at(-1));
  }
  return undefined;
}

test("a worker serves the SDK's metrics and Orchestra's (model calls, tokens, status changes, approvals) for Prometheus", async () => {
  const port = await freePort();
  const taskQueue = `metrics-${randomUUID().slice(0, 8)}`;
  worker = spawn(process.execPath, [CLI, 'worker'], {
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: h.address,
      ORCHESTRA_TASK_QUEUE: taskQueue,
      ORCHESTRA_MODEL: TEST_MODEL,
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: h.model.url,
      ORCHESTRA_METRICS_ADDRESS: `127.0.0.1:${port}`,
      ORCHESTRA_LOG_LEVEL: 'error',
      // A fleet-wide rate, so the 429 below cuts it too.
      ORCHESTRA_MODEL_RPM: '6000',
    },
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/metrics`;
  expect(await scrape(url, (t) => t.includes('temporal_'))).toContain('temporal_');

  const defaults = { ...h.defaults, taskQueue };
  const task = h.script([
    // One 429 first: the limiter counts it and halves its limit (100 → 50), and the fleet's rate (6000 → 3000).
    { text: 'listing', toolCalls: [{ name: 'list_files', input: {} }], errors: [{ status: 429 }] },
    { text: 'done' },
  ]);
  const { id } = await spawnAgent(h.client, defaults, { task, cwd: await h.tempDir() });
  expect(await waitForAgent(h.client, id)).toMatchObject({ status: 'completed' });
  // An approval asked and left to time out.
  const asks = h.script([{ toolCalls: [{ name: 'bash', input: { command: 'true' } }] }, { text: 'ok' }]);
  const asker = await spawnAgent(h.client, defaults, {
    task: asks,
    cwd: await h.tempDir(),
    policy: { autonomy: 'semi', approvalTimeoutSeconds: 1 },
  });
  await waitForAgent(h.client, asker.id);

  // Until both ends are counted: the SDK's own counters are exported a moment after the fact.
  const text = await scrape(
    url,
    (t) =>
      /orchestra_approvals_total\{[^}]*event="answered"/.test(t) &&
      (sample(t, 'temporal_workflow_completed_total', { workflow_type: 'agentWorkflow' }) ?? 0) >= 2,
  );
  const calls = sample(text, 'orchestra_model_calls_total', { model: TEST_MODEL, outcome: 'ok' });
  expect(calls).toBeGreaterThanOrEqual(4);
  expect(sample(text, 'orchestra_input_tokens_total', { model: TEST_MODEL })).toBeGreaterThan(0);
  expect(sample(text, 'orchestra_output_tokens_total', { model: TEST_MODEL })).toBeGreaterThan(0);
  expect(
    sample(text, 'orchestra_agent_status_changes_total', { from: 'running', to: 'completed' }),
  ).toBeGreaterThanOrEqual(2);
  expect(sample(text, 'orchestra_approvals_total', { event: 'requested' })).toBe(1);
  expect(sample(text, 'orchestra_approvals_total', { event: 'answered', by: 'timeout' })).toBe(1);
  expect(text).toMatch(/orchestra_model_slot_wait(_seconds)?_bucket/);
  expect(sample(text, 'orchestra_model_limited_total', { status: '429' })).toBe(1);
  expect(sample(text, 'orchestra_model_limit', {})).toBe(50);
  expect(sample(text, 'orchestra_model_fleet_rate', {})).toBe(3000);
  // And the SDK's own, on the same endpoint.
  expect(
    sample(text, 'temporal_workflow_completed_total', { workflow_type: 'agentWorkflow' }),
  ).toBeGreaterThanOrEqual(2);

  // Still counting after a worker-side status change from a person.
  const idle = await spawnAgent(h.client, defaults, {
    task: '',
    type: 'interactive',
    cwd: await h.tempDir(),
  });
  await waitForStatus(h.client, idle.id, (v) => v.status === 'idle');
  await controlAgent(h.client, idle.id, 'cancel');
  await waitForAgent(h.client, idle.id);
  const after = await scrape(
    url,
    (t) => sample(t, 'orchestra_agent_status_changes_total', { from: 'idle', to: 'cancelled' }) === 1,
  );
  expect(sample(after, 'orchestra_agent_status_changes_total', { from: 'idle', to: 'cancelled' })).toBe(1);
});
