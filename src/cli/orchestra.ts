#!/usr/bin/env node
/**
 * The `orchestra` command as installed (package.json `bin`). Short commands (agent, swarm,
 * session, health, ...) run from one bundled file of the whole CLI (scripts/build-cli.mjs) with
 * V8's code cache beside it: no module lookups, and nothing the build's run compiled compiled
 * again: a third to a half less CPU a start (README, The CLI). The long-running commands run main.js
 * as built: they find their workflow code and assets from their own files, and start once; so
 * does any command with tracing on. Without a bundle (a build that skipped it), main.js runs.
 */
import { accessSync, constants, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import * as path from 'node:path';
import { Script } from 'node:vm';
import { LONG_RUNNING_COMMANDS } from './long-running';

const BUNDLE = path.join(__dirname, 'bundle.js');

/**
 * The cache is named by the bundle's content hash, which the build writes on its first line:
 * V8 checks a cache against the source's length only, so a run that read an older bundle must
 * not leave its cache where the new one would take it.
 */
function cacheFile(source: string): string | undefined {
  const key = /^\/\/ cache-key ([0-9a-f]+)/.exec(source)?.[1];
  return key && path.join(__dirname, `bundle.${key}.cache`);
}

function read(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

function writable(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** Runs the bundle as the main module would run; false when there is none. */
function runBundle(): boolean {
  if (!existsSync(BUNDLE)) return false;
  const source = readFileSync(BUNDLE, 'utf8');
  const cache = cacheFile(source);
  const cachedData = cache ? read(cache) : undefined;
  const script = new Script(wrap(source), { filename: BUNDLE, cachedData });
  // A cache made by another Node version is refused by V8: made anew at exit, once this run's
  // functions are compiled, where the install is writable (a read-only one just compiles).
  if (cache && (cachedData === undefined || script.cachedDataRejected) && writable(__dirname))
    process.once('exit', () => {
      try {
        const partial = `${cache}.${process.pid}`;
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, cache);
      } catch {
        // another run's, or a full disk: the next run compiles
      }
    });
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const bundled = { exports: {} };
  run(bundled.exports, createRequire(BUNDLE), bundled, BUNDLE, __dirname);
  return true;
}

// Tracing (ORCHESTRA_OTEL_ENDPOINT) needs the OpenTelemetry plugin's own files beside it, as built.
const asBuilt =
  LONG_RUNNING_COMMANDS.includes(process.argv[2] ?? '') || Boolean(process.env.ORCHESTRA_OTEL_ENDPOINT);
if (asBuilt || !runBundle()) void import('./main');
