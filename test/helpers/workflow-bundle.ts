/**
 * The workflow code (the agents' and the cost ledgers'), bundled once per test run
 * (globalSetup) instead of by every suite's worker at start: webpack costs each worker seconds
 * of CPU the suites share. Bundled from the sources, so a run always tests the code as it is,
 * built or not.
 */
import { readFileSync } from 'node:fs';
import { copyFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { BUNDLE_SOURCES, bundleWorkflows, type BundleName } from '../../workers/bundles';
import type { OrchestraWorkerOptions } from '../../workers/worker';

const BUNDLE_ENV = 'ORCHESTRA_TEST_WORKFLOW_BUNDLES';
const names = Object.keys(BUNDLE_SOURCES) as BundleName[];
/** Where `npm run build` writes them (workers/bundles.ts). */
const BUILT_BUNDLES = path.resolve(__dirname, '../../dist/workflow-bundles');
const fileOf = (dir: string, name: BundleName) => path.join(dir, `${name}-workflows.js`);

/** Bundle every workflow set into `dir` and tell the suites where (globalSetup). */
export async function bundleForRun(dir: string): Promise<void> {
  process.env[BUNDLE_ENV] = dir;
  // `npm test` built them a moment ago (pretest): webpack again would cost ~10 s of CPU.
  if (process.env.ORCHESTRA_TEST_BUNDLES === 'build') {
    for (const name of names) await copyFile(path.join(BUILT_BUNDLES, `${name}.js`), fileOf(dir, name));
    return;
  }
  for (const name of names) await writeFile(fileOf(dir, name), (await bundleWorkflows(name)).code);
}

let bundles: OrchestraWorkerOptions['workflowBundles'];

/**
 * The run's bundles for a worker, or none outside jest (the bench and the soak run from
 * dist/, where the worker finds the bundles `npm run build` wrote). Passed as code, not as a
 * path: jest maps every stack frame of a file it can read, and reading a 5 MB bundle's inline
 * source map costs each suite seconds.
 */
export function runBundles(): OrchestraWorkerOptions['workflowBundles'] {
  const dir = process.env[BUNDLE_ENV];
  if (!dir) return undefined;
  return (bundles ??= Object.fromEntries(
    names.map((name) => [name, { code: readFileSync(fileOf(dir, name), 'utf8') }]),
  ));
}
