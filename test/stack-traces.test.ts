/**
 * Workflow stack traces are off unless ORCHESTRA_WORKFLOW_STACK_TRACES=on (workers/stack-traces.ts):
 * the project's install patches the SDK so its per-promise stack capture is a switch.
 */
import { loadConfig } from '../src/config';
import { agentWorkflowId } from '../src/domain';
import { controlAgent } from '../src/temporal/agents';
import { STACK_TRACES_ENV, stackTraceSwitchInstalled } from '../workers/stack-traces';
import { startHarness, useHarness, waitForStatus, type Harness } from './helpers/harness';
import { startWorkerProcess, type WorkerProcess } from './helpers/worker-process';

const off = useHarness();

/** A running agent's stack trace query: the answer, or the error. */
async function stackTraceOf(h: Harness): Promise<string> {
  const id = await h.spawn({ task: h.busyTask(200) });
  await waitForStatus(h.client, id, (v) => v.status === 'running' && v.iterations > 0, 90_000);
  try {
    return await h.client.workflow.getHandle(agentWorkflowId(id)).query<string>('__stack_trace');
  } finally {
    await controlAgent(h.client, id, 'cancel');
  }
}

test('the install applied the patch that makes stack traces a switch', () => {
  expect(stackTraceSwitchInstalled()).toBe(true);
});

test('the switch takes on or off, nothing else', () => {
  expect(() => loadConfig({ [STACK_TRACES_ENV]: 'yes' })).toThrow(new RegExp(STACK_TRACES_ENV));
  expect(() => loadConfig({ [STACK_TRACES_ENV]: 'on' })).not.toThrow();
});

test('by default a stack trace query answers that stack traces are off', async () => {
  await expect(stackTraceOf(off)).rejects.toThrow(/stack traces are not enabled/);
});

describe(`a worker started with ${STACK_TRACES_ENV}=on`, () => {
  // A process of its own: a worker's workflow threads read the real environment, which jest hides.
  let on: Harness | undefined;
  let worker: WorkerProcess | undefined;
  beforeAll(async () => {
    on = await startHarness({ worker: false });
    worker = startWorkerProcess(on, { [STACK_TRACES_ENV]: 'on' });
  });
  afterAll(async () => {
    await worker?.stop();
    await on?.close();
  });

  test('answers a stack trace query with where the agent waits, in its own source', async () => {
    expect(await stackTraceOf(on!)).toMatch(/workflows[\\/]agent[\\/]/);
  }, 120_000);
});
