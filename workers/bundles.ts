/**
 * The workflow code, bundled once by `npm run build` instead of by every worker at start:
 * webpack costs a worker seconds and ~150 MB that it keeps. A worker run from the sources (the
 * tests), or whose bundle is older than the code it bundles, bundles at start as before. A
 * worker with tracing on runs the same workflows with OpenTelemetry's workflow interceptors: the
 * first one bundles them and leaves the bundle beside the others for the next.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, utimes, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { bundleWorkflowCode, DefaultLogger, type WorkerOptions } from '@temporalio/worker';
import { z } from 'zod';
import { tracingWorkflowModules } from '../src/tracing';

export const WORKFLOWS_PATH = require.resolve('../workflows');

/**
 * Orchestra's payload converter (a payload that cannot be decoded reaches handlers as a value):
 * bundled with the workflows, and every worker's `dataConverter.payloadConverterPath`.
 */
export const PAYLOAD_CONVERTER_PATH = require.resolve('../src/temporal/payload-converter');

/** Modules every workflow shares instead of evaluating them again: workflows/shared-modules.ts. */
export const SHARED_MODULES = [require.resolve('../workflows/shared-modules')];

/** Each workflow set a worker runs: the agents' (main queue) and the cost ledgers'. */
export const BUNDLE_SOURCES = {
  agents: { workflowsPath: WORKFLOWS_PATH, preloadModules: SHARED_MODULES },
  // The workspace queue's: cost ledgers and zones (workflows/workspace-queue.ts).
  ledger: { workflowsPath: require.resolve('../workflows/workspace-queue'), preloadModules: [] },
};
export type BundleName = keyof typeof BUNDLE_SOURCES;

const ROOT = path.join(__dirname, '..');
/** Orchestra's package: the sources' directory, which holds the one tsc compiles to (dist). */
const PACKAGE_ROOT = existsSync(path.join(ROOT, 'package.json')) ? ROOT : path.dirname(ROOT);
const BUNDLE_DIR = path.join(ROOT, 'workflow-bundles');
/**
 * What makes a bundle besides this package's files it holds (recorded beside it, below): the
 * bundler and the packages it bundles, which an install changes.
 */
const INPUTS = [
  '@temporalio/workflow',
  '@temporalio/common',
  '@temporalio/worker',
  'zod',
  'nexus-rpc',
  'long',
  'ms',
].flatMap((name) => packageJson(name));

/** The node_modules directory the bundler takes `name` from; none if it is not installed. */
function nodeModulesOf(name: string): string | undefined {
  return (require.resolve.paths(name) ?? []).find((dir) => existsSync(path.join(dir, name, 'package.json')));
}

/** A package's package.json, found the way the bundler finds the package; none if it is not there. */
function packageJson(name: string): string[] {
  const dir = nodeModulesOf(name);
  return dir ? [path.join(dir, name, 'package.json')] : [];
}

const bundlePath = (name: BundleName) => path.join(BUNDLE_DIR, `${name}.js`);

/**
 * The interceptors bring OpenTelemetry's packages, several and some nested: any install counts
 * as a change (npm rewrites node_modules/.package-lock.json each time).
 */
const TRACED_INPUTS = [
  ...INPUTS,
  ...packageJson('@temporalio/interceptors-opentelemetry'),
  path.join(nodeModulesOf('@temporalio/interceptors-opentelemetry') ?? ROOT, '.package-lock.json'),
].filter((file) => existsSync(file));
const tracedBundlePath = (name: BundleName) => path.join(BUNDLE_DIR, `${name}.traced.js`);

/** Where a worker gets its workflow code: the built bundle when it is current, else its sources. */
export function workflowCode(
  name: BundleName,
): Pick<WorkerOptions, 'workflowBundle' | 'workflowsPath' | 'bundlerOptions'> {
  const codePath = bundlePath(name);
  if (bundleIsCurrent(codePath, INPUTS)) return { workflowBundle: { codePath } };
  const { workflowsPath, preloadModules } = BUNDLE_SOURCES[name];
  // Bundled from the sources, with the worker's dataConverter.payloadConverterPath.
  return { workflowsPath, bundlerOptions: { preloadModules } };
}

/**
 * A traced worker's workflow code: bundled with OpenTelemetry's workflow interceptors by the first
 * traced worker (seconds of webpack), and kept in dist/workflow-bundles while current. Where the
 * install is read-only, each traced worker bundles its own.
 */
export async function tracedWorkflowCode(name: BundleName): Promise<Pick<WorkerOptions, 'workflowBundle'>> {
  const codePath = tracedBundlePath(name);
  if (bundleIsCurrent(codePath, TRACED_INPUTS)) return { workflowBundle: { codePath } };
  const started = new Date();
  const { code } = await bundleWorkflows(name, tracingWorkflowModules());
  try {
    await keepBundle(codePath, code, started);
  } catch {
    // read-only: bundled again at the next start
  }
  return { workflowBundle: { code } };
}

/**
 * Written whole or not at all (a worker may be reading it, another writing its own), dated when
 * its bundling started: a source edited while webpack ran is newer, so it is not taken for current.
 */
async function keepBundle(codePath: string, code: string, started: Date): Promise<void> {
  await mkdir(BUNDLE_DIR, { recursive: true });
  const keep = async (file: string, content: string) => {
    const partial = `${file}.${randomUUID()}`;
    await writeFile(partial, content);
    await utimes(partial, started, started);
    await rename(partial, file);
  };
  await keep(recordPath(codePath), JSON.stringify(bundledFiles(code), null, 1));
  await keep(codePath, code);
}

/** Bundle a workflow set from its sources (with `workflowInterceptorModules`, for tracing). */
export function bundleWorkflows(name: BundleName, workflowInterceptorModules: string[] = []) {
  const { workflowsPath, preloadModules } = BUNDLE_SOURCES[name];
  return bundleWorkflowCode({
    workflowsPath,
    preloadModules,
    workflowInterceptorModules,
    payloadConverterPath: PAYLOAD_CONVERTER_PATH,
    logger: new DefaultLogger('WARN'),
  });
}

/**
 * Current: the bundle is there, with the record of the files it holds, and neither those nor
 * the files `inputs` changed after its bundling began. Only what it holds counts: a change to
 * the CLI or the API (dist/src) bundles no workflow again.
 */
export function bundleIsCurrent(codePath: string, inputs: string[]): boolean {
  const held = heldFiles(codePath);
  if (!held || !existsSync(codePath)) return false;
  const made = statSync(codePath).mtimeMs;
  return [...held, ...inputs].every((file) => existsSync(file) && statSync(file).mtimeMs <= made);
}

/** Beside each bundle: the files of this package it holds (`<bundle>.inputs.json`). */
const recordPath = (codePath: string) => `${codePath}.inputs.json`;

function heldFiles(codePath: string): string[] | undefined {
  try {
    const held = z.array(z.string()).parse(JSON.parse(readFileSync(recordPath(codePath), 'utf8')));
    return held.map((file) => path.resolve(PACKAGE_ROOT, file));
  } catch {
    return undefined;
  }
}

/**
 * The files of this package a bundle holds, relative to it (an install elsewhere reads the same
 * record), from the bundle's inline source map: webpack names each module by its path, or by its
 * TypeScript source's through the compiled file's own map, and then the compiled file (in dist)
 * is what it read. The packages it bundles are `INPUTS`.
 */
export function bundledFiles(code: string): string[] {
  const map = code.slice(code.lastIndexOf('base64,') + 'base64,'.length);
  const { sources } = z
    .object({ sources: z.array(z.string()) })
    .parse(JSON.parse(Buffer.from(map, 'base64').toString()));
  const own = sources
    .filter((file) => path.isAbsolute(file))
    .map((file) => path.relative(PACKAGE_ROOT, file))
    .filter((file) => !file.startsWith('..') && !file.split(path.sep).includes('node_modules'))
    .map((file) => (file.endsWith('.ts') ? path.join('dist', file.replace(/\.ts$/, '.js')) : file));
  return [...new Set(own)].filter((file) => existsSync(path.join(PACKAGE_ROOT, file))).sort();
}

/** Bundle every workflow set into dist/workflow-bundles (run by `npm run build`); a current one is kept. */
export async function writeBundles(): Promise<void> {
  for (const name of Object.keys(BUNDLE_SOURCES) as BundleName[]) {
    if (bundleIsCurrent(bundlePath(name), INPUTS)) continue;
    const started = new Date();
    await keepBundle(bundlePath(name), (await bundleWorkflows(name)).code, started);
  }
}

if (require.main === module) {
  writeBundles().catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
