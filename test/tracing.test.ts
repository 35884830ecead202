/**
 * OpenTelemetry traces: a real CLI and a real worker process send spans to a collector (an
 * OTLP/HTTP receiver in this test); one trace runs from the client's start of an agent through
 * its workflow and activities to the model call.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CLI, runCli } from './helpers/cli';
import { TEST_MODEL, useHarness } from './helpers/harness';
import { until } from './helpers/poll';
import { pollersOn } from '../src/temporal/health';

const h = useHarness({ worker: false });

interface Span {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  service: string;
}

let collector: Server | undefined;
let worker: ChildProcess | undefined;
const spans: Span[] = [];

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as {
        resourceSpans: Array<{
          resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
          scopeSpans: Array<{ spans: Array<Omit<Span, 'service'>> }>;
        }>;
      };
      for (const rs of parsed.resourceSpans) {
        const service =
          rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue ?? '?';
        for (const ss of rs.scopeSpans) for (const s of ss.spans) spans.push({ ...s, service });
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector!.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  worker?.kill('SIGTERM');
  await new Promise((resolve) => collector?.close(resolve));
});

test('one trace from the CLI through the workflow and its activities to the model call', async () => {
  const endpoint = `http://127.0.0.1:${(collector!.address() as AddressInfo).port}/v1/traces`;
  const taskQueue = `traced-${randomUUID().slice(0, 8)}`;
  const common = {
    TEMPORAL_ADDRESS: h.address,
    ORCHESTRA_TASK_QUEUE: taskQueue,
    ORCHESTRA_MODEL: TEST_MODEL,
    ORCHESTRA_OTEL_ENDPOINT: endpoint,
  };
  worker = spawn(process.execPath, [CLI, 'worker'], {
    env: {
      ...process.env,
      ...common,
      OTEL_SERVICE_NAME: 'orchestra-worker',
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: h.model.url,
      ORCHESTRA_LOG_LEVEL: 'error',
    },
    stdio: 'ignore',
  });
  // A first traced worker bundles its workflow code as it starts (seconds on a loaded machine; a
  // later one takes that bundle, workers/bundles.ts). The spawn waits for it to poll, so that
  // the trace is the agent's and not the wait's.
  // Asked in-process: `health --worker` (tested in cli.test.ts) would spawn a CLI per look.
  await until(
    () => pollersOn(h.client, common.ORCHESTRA_TASK_QUEUE),
    (pollers) => pollers.length > 0,
    'the traced worker polling its queue',
    90_000,
  );
  const task = h.script([
    { text: 'listing', toolCalls: [{ name: 'list_files', input: {} }] },
    { text: 'traced' },
  ]);
  const run = await runCli(['agent', 'spawn', task, '--cwd', await h.tempDir(), '--wait', '--json'], {
    ...common,
    OTEL_SERVICE_NAME: 'orchestra-cli',
  });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });

  // The worker sends its spans in batches: the trace is whole once both model calls are in.
  const trace = await until(
    async () => {
      const start = spans.find(
        (s) => s.service === 'orchestra-cli' && s.name === 'StartWorkflow:agentWorkflow',
      );
      return start ? spans.filter((s) => s.traceId === start.traceId) : [];
    },
    (t) => t.filter((s) => s.name === 'model.call').length >= 2,
    'the trace with both model calls',
    20_000,
  );
  const names = trace.map((s) => `${s.service} ${s.name}`);
  expect(names).toEqual(
    expect.arrayContaining([
      'orchestra-cli StartWorkflow:agentWorkflow',
      'orchestra-worker RunWorkflow:agentWorkflow',
      'orchestra-worker model.call',
    ]),
  );
  // Each model call hangs off an activity's span, in the same trace as the client's start.
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  for (const call of trace.filter((s) => s.name === 'model.call')) {
    expect(byId.get(call.parentSpanId ?? '')?.name).toMatch(/^RunActivity:callModel$/);
  }
  expect(trace.filter((s) => s.name === 'model.call')).toHaveLength(2);
});
