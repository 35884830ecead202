/**
 * Scenario 4, bad signals: running agents get, through the `temporal` CLI, a signal in an
 * encoding no converter knows, payloads of the wrong shape, bytes that are not JSON at all, and a
 * signal name no handler takes. Each must be recorded as an `ignored` event, and every agent must
 * still answer its status and obey a cancel.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { agentEvents, agentStatus, controlAgent } from '../../src/temporal/agents';
import { waitForStatus } from '../helpers/harness';
import { until } from '../helpers/poll';
import { claim, quick } from './report';
import { BUSY_LIMITS, withSetting } from './server';

const exec = promisify(execFile);
const SCENARIO = 'bad signals';
const AGENTS = quick ? 4 : 10;

/** Each bad signal as `temporal workflow signal` arguments (one more, bytes that are not JSON, goes by gRPC). */
const BAD: { what: string; args: string[] }[] = [
  {
    what: 'unknown encoding',
    args: ['--name', 'pause', '--input', '"x"', '--input-meta', 'encoding=foo/bar'],
  },
  { what: 'message not an object', args: ['--name', 'message', '--input', '"not an object"'] },
  { what: 'pause reason of the wrong type', args: ['--name', 'pause', '--input', '{"reason":{"nested":1}}'] },
  { what: 'unknown signal name', args: ['--name', 'pasue', '--input', '{"reason":"typo"}'] },
];

export async function badSignals(): Promise<void> {
  await withSetting({}, async ({ h, server }) => {
    const ids = await Promise.all(
      Array.from({ length: AGENTS }, () => h.spawn({ task: h.busyTask(300), limits: BUSY_LIMITS })),
    );
    for (const id of ids) await waitForStatus(h.client, id, (v) => v.status === 'running', 60_000);
    const cliErrors: string[] = [];
    await Promise.all(
      ids.map(async (id) => {
        for (const bad of BAD)
          await exec(server().binary, [
            'workflow',
            'signal',
            '--workflow-id',
            `agent-${id}`,
            ...bad.args,
            '--address',
            h.address,
          ]).catch((err: Error & { stderr?: string }) =>
            cliErrors.push(
              `${bad.what}: ${(err.stderr || err.message).trim().split('\n').slice(-2).join(' ')}`,
            ),
          );
      }),
    );
    // The CLI checks that JSON is JSON: bytes that are not go straight to the server's API, as any client may send them.
    await Promise.all(
      ids.map((id) => garbage(h.client, id).catch((err: Error) => cliErrors.push(`garbage: ${err.message}`))),
    );
    claim(
      SCENARIO,
      'bad signals delivered (CLI and gRPC)',
      cliErrors.length === 0,
      cliErrors[0] ?? `${AGENTS * (BAD.length + 1)}`,
    );

    const expected = BAD.length + 1;
    const ignored = await Promise.all(
      ids.map((id) =>
        until(
          async () => (await agentEvents(h.client, id)).filter((e) => e.type === 'ignored'),
          (list) => list.length >= expected,
          `${id}: ${expected} ignored events`,
          20_000,
        ).catch(async () =>
          (await agentEvents(h.client, id).catch(() => [])).filter((e) => e.type === 'ignored'),
        ),
      ),
    );
    const total = ignored.reduce((n, list) => n + list.length, 0);
    const sample = ignored[0].map((e) =>
      e.type === 'ignored' ? `${e.signal}: ${e.reason.slice(0, 48)}` : '',
    );
    claim(
      SCENARIO,
      '`ignored` events recorded',
      total === AGENTS * expected,
      `${total}/${AGENTS * expected} (${sample.join('; ')})`,
    );

    let answering = 0;
    let obeyed = 0;
    for (const id of ids) {
      if ((await agentStatus(h.client, id).catch(() => undefined))?.status === 'running') answering += 1;
      const cancelled = await controlAgent(h.client, id, 'cancel', { reason: 'after the bad ones' })
        .then(() =>
          until(
            () => agentStatus(h.client, id),
            (v) => v.status === 'cancelled',
            'cancelled',
            30_000,
          ),
        )
        .catch(() => undefined);
      if (cancelled) obeyed += 1;
    }
    claim(
      SCENARIO,
      'agents still running and answering status',
      answering === AGENTS,
      `${answering}/${AGENTS}`,
    );
    claim(SCENARIO, 'agents obeying cancel afterwards', obeyed === AGENTS, `${obeyed}/${AGENTS}`);
  });
}

/** A `cancel` signal whose payload says json/plain and holds bytes that are not JSON. */
async function garbage(client: Client, id: string): Promise<void> {
  await client.workflowService.signalWorkflowExecution({
    namespace: 'default',
    workflowExecution: { workflowId: `agent-${id}` },
    signalName: 'cancel',
    identity: 'soak',
    requestId: randomUUID(),
    input: {
      payloads: [
        { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from('{"reason": \u0000garbage') },
      ],
    },
  });
}
