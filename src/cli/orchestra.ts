#!/usr/bin/env node
/**
 * The `orchestra` command as installed (package.json `bin`). Short commands (agent, swarm,
 * session, health, ...) run from one bundled file of the whole CLI (scripts/build-cli.mjs) with
 * V8's code cache beside it: no module lookups, and none of what the last run compiled compiled
 * again, about a third less CPU a start (README, Speed). The long-running commands run main.js
 * as built: they find their workflow code and assets from their own files, and start once; so
 * does any command with tracing on.
 * Without a bundle (a build that skipped it), main.js runs every command.
 */
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire, wrap } from 'node:module';
import * as path from 'node:path';
import { Script } from 'node:vm';

/** Commands main.js runs itself: keep in step with LONG_RUNNING_IMPORTS in scripts/build-cli.mjs. */
const LONG_RUNNING = ['server', 'worker', 'model-server', 'codec-server', 'demo', 'api'];

const BUNDLE = path.join(__dirname, 'bundle.js');
const CACHE = `${BUNDLE}.cache`;

function readCache(): Buffer | undefined {
  try {
    return readFileSync(CACHE);
  } catch {
    return undefined;
  }
}

/** Runs the bundle as the main module would run; false when there is none. */
function runBundle(): boolean {
  if (!existsSync(BUNDLE)) return false;
  const cachedData = readCache();
  const source = readFileSync(BUNDLE, 'utf8').replace(/^#!.*/, '');
  const script = new Script(wrap(source), { filename: BUNDLE, cachedData });
  // A cache made by another Node version, or for an older bundle, is refused by V8: made anew
  // at exit, when the functions this run needed are compiled. Never fatal: a read-only install
  // just compiles each time.
  if (cachedData === undefined || script.cachedDataRejected)
    process.once('exit', () => {
      try {
        const partial = `${CACHE}.${process.pid}`;
        writeFileSync(partial, script.createCachedData());
        renameSync(partial, CACHE);
      } catch {
        // not writable here
      }
    });
  const run = script.runInThisContext() as (...args: unknown[]) => void;
  const bundled = { exports: {} };
  run(bundled.exports, createRequire(BUNDLE), bundled, BUNDLE, __dirname);
  return true;
}

// Tracing (ORCHESTRA_OTEL_ENDPOINT) needs the OpenTelemetry plugin's own files beside it, as built.
const asBuilt = LONG_RUNNING.includes(process.argv[2] ?? '') || Boolean(process.env.ORCHESTRA_OTEL_ENDPOINT);
if (asBuilt || !runBundle()) void import('./main');
