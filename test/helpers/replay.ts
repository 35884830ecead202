/** Replaying finished runs against today's workflow code: the determinism check several suites make. */
import type { Client } from '@temporalio/client';
import { Worker } from '@temporalio/worker';
import { PAYLOAD_CONVERTER_PATH, WORKFLOWS_PATH } from '../../workers/bundles';
import { until } from './poll';
import { runBundles } from './workflow-bundle';

/**
 * Replay every closed run `query` lists, once at least `atLeast` of them are (visibility lags),
 * with the workers' own code (the run's bundle, else the sources). The errors, as
 * `workflowId: message`: none when all is well.
 */
export async function replayClosedRuns(client: Client, query: string, atLeast = 1): Promise<string[]> {
  const closed = `(${query}) AND ExecutionStatus!="Running"`;
  await until(
    () => client.workflow.count(closed),
    (c) => c.count >= atLeast,
    `${atLeast} closed runs listed`,
    10_000,
  );
  const bundled = runBundles()?.agents;
  const code = bundled ? { workflowBundle: bundled } : { workflowsPath: WORKFLOWS_PATH };
  const results = [];
  for await (const result of Worker.runReplayHistories(
    { ...code, dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH } },
    client.workflow.list({ query: closed }).intoHistories(),
  ))
    results.push(result);
  expect(results.length).toBeGreaterThanOrEqual(atLeast);
  return results.filter((r) => r.error).map((r) => `${r.workflowId}: ${r.error?.message}`);
}
