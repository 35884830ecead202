/**
 * Orchestra as a library: a team's program that uses only the package's public exports
 * (`orchestra`, `orchestra/worker`) type-checks against the published types, and runs an agent
 * end to end on its own worker: spawn, watch, wait, list, and a typed error.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { TEST_MODEL, useHarness } from './helpers/harness';

const run = promisify(execFile);
const h = useHarness();
const FIXTURES = path.join(__dirname, 'fixtures', 'library');

test("a TypeScript consumer type-checks against the package's exports and types", async () => {
  const tsc = path.join(__dirname, '..', 'node_modules', '.bin', 'tsc');
  await expect(run(tsc, ['-p', path.join(FIXTURES, 'tsconfig.json')])).resolves.toMatchObject({ stdout: '' });
});

test('a program using only the public exports runs its own worker and an agent end to end', async () => {
  const task = h.script([{ toolCalls: [{ name: 'list_files', input: {} }] }, { text: 'listed' }]);
  const { stdout } = await run(process.execPath, [path.join(FIXTURES, 'consumer.js')], {
    cwd: path.join(__dirname, '..'),
    env: {
      ...process.env,
      TEMPORAL_ADDRESS: h.address,
      // A queue of its own: only the consumer's worker runs the agent.
      ORCHESTRA_TASK_QUEUE: `library-${randomUUID().slice(0, 8)}`,
      ORCHESTRA_MODEL: TEST_MODEL,
      ANTHROPIC_BASE_URL: h.model.url,
      ANTHROPIC_API_KEY: 'test-key',
      ORCHESTRA_LOG_LEVEL: 'error',
      CONSUMER_TASK: task,
      CONSUMER_CWD: await h.tempDir(),
    },
  });
  expect(JSON.parse(stdout)).toMatchObject({
    status: 'completed',
    result: 'listed',
    seen: expect.arrayContaining(['spawned', 'tool_call', 'tool_result', 'status']),
    listed: expect.any(String),
    missing: { orchestraError: true, code: 'not_found' },
  });
});
