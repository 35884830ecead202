#!/usr/bin/env node
/* global console, process, URL */
/**
 * Refresh test/shards/weights.ts from CPU reports of whole `npm test` runs
 * (ORCHESTRA_TEST_CPU_REPORT=<file>): each suite's wall time, averaged over every run the
 * files hold, in seconds. One run's figures move by seconds from run to run; an average of a
 * few deals the shards so that they end within a second or two of each other. A suite that ran
 * but reported nothing (all its tests skipped, as `live` without ANTHROPIC_API_KEY) weighs 0:
 * left to the default weight, it made its shard end 15 s before the others.
 *   node scripts/shard-weights.mjs /tmp/cpu-1.jsonl /tmp/cpu-2.jsonl ...
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const reports = process.argv.slice(2);
if (reports.length === 0) {
  console.error('usage: node scripts/shard-weights.mjs <cpu report>...');
  process.exit(2);
}
const walls = new Map();
for (const file of reports)
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const { suite, pid, wall } = JSON.parse(line);
    // The dev server's line has no pid: it is not a suite.
    if (pid === undefined) continue;
    walls.set(suite, [...(walls.get(suite) ?? []), wall]);
  }
// The suites the shards deal (run-shard.ts): every test/<name>.test.ts but the slow ones. The
// reports are of whole runs, so one that none names ran and reported nothing.
const { SLOW } = createRequire(import.meta.url)('../test/suites.js');
const testDir = fileURLToPath(new URL('../test/', import.meta.url));
for (const file of readdirSync(testDir)) {
  const name = file.endsWith('.test.ts') ? file.slice(0, -'.test.ts'.length) : undefined;
  if (name && !SLOW.includes(name) && !walls.has(name)) walls.set(name, [0]);
}
const key = (name) => (/^[A-Za-z_$][\w$]*$/.test(name) ? name : `'${name}'`);
const entries = [...walls.keys()].sort().map((name) => {
  const seen = walls.get(name);
  return `  ${key(name)}: ${Math.round(seen.reduce((a, b) => a + b, 0) / seen.length)},`;
});
const file = fileURLToPath(new URL('../test/shards/weights.ts', import.meta.url));
const source = readFileSync(file, 'utf8');
const block = /export const WEIGHTS: Record<string, number> = \{[\s\S]*?\n\};/;
if (!block.test(source)) throw new Error(`no WEIGHTS object in ${file}`);
writeFileSync(
  file,
  source.replace(block, `export const WEIGHTS: Record<string, number> = {\n${entries.join('\n')}\n};`),
);
console.log(
  `${walls.size} suites' weights from ${reports.length} report(s) written to ${path.relative(process.cwd(), file)}`,
);
