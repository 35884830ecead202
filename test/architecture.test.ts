/**
 * Where code may import from: src/domain has no import circles (type-only imports count),
 * and lint keeps workflow code to what may run in a workflow. No Temporal server needed.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';

const root = path.resolve(__dirname, '..');
const domain = path.join(root, 'src/domain');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) return tsFiles(file);
    return name.endsWith('.ts') ? [file] : [];
  });
}

/** The files of `dir` each file imports, `import type` and `export ... from` included. */
function importGraph(dir: string): Map<string, string[]> {
  const files = tsFiles(dir);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((i) => i.fileName)
      .filter((spec) => spec.startsWith('.'))
      .map((spec) => path.resolve(path.dirname(file), spec))
      .map((base) => [`${base}.ts`, path.join(base, 'index.ts')].find((f) => files.includes(f)))
      .filter((f): f is string => f !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** Every import circle found by a depth-first walk, each as the files around it. */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const stack: string[] = [];
  const visit = (file: string) => {
    const at = stack.indexOf(file);
    if (at >= 0) return void found.push([...stack.slice(at), file]);
    if (done.has(file)) return;
    stack.push(file);
    for (const next of graph.get(file) ?? []) visit(next);
    stack.pop();
    done.add(file);
  };
  for (const file of graph.keys()) visit(file);
  return found;
}

describe('src/domain', () => {
  test('has no import circles, type-only imports included', () => {
    const graph = importGraph(domain);
    expect(graph.size).toBeGreaterThan(20);
    const circles = cycles(graph).map((c) => c.map((f) => path.relative(domain, f)).join(' -> '));
    expect(circles).toEqual([]);
  });

  test('the walk finds a circle when there is one', () => {
    const graph = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', ['a']],
      ['d', ['a']],
    ]);
    expect(cycles(graph)).toEqual([['a', 'b', 'c', 'a']]);
  });
});

type LintMessage = { line: number; message: string };

/**
 * The import-rule messages eslint gives each sample as if it were the file at its path. Samples
 * are declared as the suite loads and linted together once: one eslint start (~4 CPU-s with
 * typescript-eslint) instead of one a test.
 */
const samples: Array<{ filePath: string; code: string }> = [];
let linted: Promise<LintMessage[][]> | undefined;
function importLint(filePath: string, code: string): () => Promise<LintMessage[]> {
  const index = samples.push({ filePath, code }) - 1;
  return async () => {
    linted ??= lintSamples();
    return (await linted)[index];
  };
}

async function lintSamples(): Promise<LintMessage[][]> {
  // A child process: eslint loads its flat config with import(), which jest's module system refuses.
  const script = `
    import { ESLint } from 'eslint';
    const samples = JSON.parse(process.env.LINT_INPUT);
    const eslint = new ESLint({
      overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
      ruleFilter: ({ ruleId }) => ruleId === '@typescript-eslint/no-restricted-imports' || ruleId === 'no-restricted-imports',
    });
    const out = [];
    for (const { filePath, code } of samples) {
      const [result] = await eslint.lintText(code, { filePath });
      out.push(result.messages.map(({ line, message }) => ({ line, message })));
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
    cwd: root,
    env: { ...process.env, LINT_INPUT: JSON.stringify(samples) },
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as LintMessage[][];
}

describe('lint keeps workflow code to what runs in a workflow', () => {
  const allowed = importLint(
    'workflows/agent/example.ts',
    [
      "import { proxyActivities } from '@temporalio/workflow';",
      "import { z } from 'zod';",
      "import { agentWorkflowId } from '../../src/domain/agent';",
      "import type { AgentInput } from '../../src/domain';",
      "import { OrchestraStatus } from '../../src/domain/search-attributes';",
      "import type { Activities } from '../../activities';",
      "import { usageSignal } from '../protocol';",
    ].join('\n'),
  );
  const refusedLines = [
    "import { createActivities } from '../../activities';",
    "import { bash } from '../../activities/tools/bash';",
    "import { startAgent } from '../../src/temporal/agents';",
    "import { createApp } from '../../src/api/app';",
    "import { main } from '../../src/cli/main';",
    "import { loadConfig } from '../../src/config';",
    "import { createWorker } from '../../workers/worker';",
    "import { Client } from '@temporalio/client';",
    "import { readFile } from 'node:fs/promises';",
    // The barrel: every domain module, evaluated again at each workflow's start.
    "import { agentWorkflowId } from '../../src/domain';",
  ];
  const refused = importLint('workflows/agent/example.ts', refusedLines.join('\n'));
  const domainOnly = importLint(
    'src/domain/example.ts',
    [
      "import { agentWorkflowId } from './agent';",
      "import { Connection } from '../temporal/connection';",
      "import { Client } from '@temporalio/client';",
      "import { defineSearchAttributeKey } from '@temporalio/common';",
    ].join('\n'),
  );

  test("a workflow imports src/domain's modules, other workflow modules, and activities only as types", async () => {
    expect(await allowed()).toEqual([]);
  });

  test('a workflow importing client, worker, API, CLI, activity or Node code fails lint', async () => {
    expect((await refused()).map((m) => m.line)).toEqual(refusedLines.map((_, i) => i + 1));
  });

  test('src/domain imports nothing outside it', async () => {
    expect((await domainOnly()).map((m) => m.line)).toEqual([2, 3]);
  });
});

describe('the CLI and the API act through the SDK', () => {
  const code = [
    "import type { AgentListEntry } from '../../temporal/agents';",
    "import { BadRequestError } from '../../temporal/errors';",
    "import { Orchestra } from '../../sdk/orchestra';",
    "import { spawnAgent } from '../../temporal/agents';",
    "import { controlSwarm, swarmStatus } from '../../temporal/swarms';",
    "import { answerApproval } from '../../temporal/approvals';",
  ].join('\n');
  const files = ['src/cli/commands/example.ts', 'src/api/routes/example.ts'];
  const lints = new Map(files.map((file) => [file, importLint(file, code)]));
  test.each(files)(
    '%s: calling the client layer around the SDK fails lint; its types and errors do not',
    async (file) => {
      expect([...new Set((await lints.get(file)!()).map((m) => m.line))]).toEqual([4, 5, 6]);
    },
  );
});

describe('npm test runs every suite once, a shard at a time (test/shards/)', () => {
  // The shards' own module, read as the shards read it.
  /* eslint-disable-next-line @typescript-eslint/no-require-imports */
  const shardModule = require('./shards/run-shard') as typeof import('./shards/run-shard');
  const { SHARDS, shards, shardedSuites } = shardModule;
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- shared with jest.config.js (CommonJS)
  const { UNIT, SLOW } = require('./suites') as { UNIT: string[]; SLOW: string[] };

  test('each suite but the slow ones in one shard, each shard a file', () => {
    const dealt = shards();
    expect(dealt).toHaveLength(SHARDS);
    expect(dealt.flat().sort()).toEqual(shardedSuites().sort());
    expect(shardedSuites()).toEqual(expect.arrayContaining(UNIT));
    expect(shardedSuites().filter((name) => SLOW.includes(name))).toEqual([]);
    expect(dealt.every((suites) => suites.length > 0)).toBe(true);
    const files = readdirSync(path.join(__dirname, 'shards')).filter((f) => f.endsWith('.test.ts'));
    expect(files.sort()).toEqual(dealt.map((_, i) => `shard-${i + 1}.test.ts`).sort());
    for (const [i] of dealt.entries())
      expect(readFileSync(path.join(__dirname, 'shards', `shard-${i + 1}.test.ts`), 'utf8')).toContain(
        `runShard(${i + 1})`,
      );
  });
});

/**
 * The workflow sandbox evaluates every module a workflow imports once per workflow, so a zod
 * schema built at module load is built again at each agent's start (src/domain/lazy.ts). A
 * profile found three modules doing it, a third of the cost of starting a workflow.
 */
test('loading src/domain and the workflows builds no zod schema', () => {
  const built: string[] = [];
  let loading = true;
  // A shard runs other suites after this one in the same registry: the real zod comes back however this ends.
  try {
    jest.isolateModules(() => {
      jest.doMock('zod', () => {
        const real = jest.requireActual('zod');
        const z: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(real.z as Record<string, unknown>))
          z[key] =
            typeof value !== 'function'
              ? value
              : Object.assign((...args: unknown[]) => {
                  if (loading) built.push(`z.${key} ${new Error().stack?.split('\n')[2]?.trim()}`);
                  return value.apply(real.z, args);
                }, value);
        return { ...real, z };
      });
      /* eslint-disable @typescript-eslint/no-require-imports -- loaded here, under the counting zod */
      require('../src/domain');
      require('../workflows');
      /* eslint-enable @typescript-eslint/no-require-imports */
    });
  } finally {
    loading = false;
    jest.dontMock('zod');
  }
  expect(built).toEqual([]);
});
