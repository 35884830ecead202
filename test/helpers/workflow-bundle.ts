/**
 * The agents' workflow code, bundled once per test run (globalSetup) instead of by every
 * suite's worker at start: webpack costs each worker seconds of CPU the suites share. Bundled
 * from the sources, so a run always tests the code as it is, built or not.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkerOptions } from '@temporalio/worker';
import { PAYLOAD_CONVERTER_PATH, SHARED_MODULES, WORKFLOWS_PATH } from '../../workers/bundles';

const BUNDLE_ENV = 'ORCHESTRA_TEST_WORKFLOW_BUNDLE';

/** Bundle the agents' workflows into `dir` and tell the suites where (globalSetup). */
export async function bundleForRun(dir: string): Promise<void> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    preloadModules: SHARED_MODULES,
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
  const file = path.join(dir, 'agents-workflows.js');
  await writeFile(file, code);
  process.env[BUNDLE_ENV] = file;
}

let code: string | undefined;

/**
 * Worker options that run the run's bundle, or none outside jest (the bench and the soak run
 * from dist/, where the worker finds the bundle `npm run build` wrote). Passed as code, not as
 * a path: jest maps every stack frame of a file it can read, and reading a 5 MB bundle's inline
 * source map costs each suite seconds.
 */
export function runBundle(): Partial<WorkerOptions> {
  const file = process.env[BUNDLE_ENV];
  if (!file) return {};
  code ??= readFileSync(file, 'utf8');
  return { workflowBundle: { code }, workflowsPath: undefined, bundlerOptions: undefined };
}
