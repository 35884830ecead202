/**
 * The `orchestra` command starts fast: a command that talks to the server loads the client
 * and no more. The worker, the model client, Express, the logger and the OpenTelemetry SDK
 * load only in the commands that run them (`worker`, `api`, `demo`, tracing when configured).
 * Each check runs the built command as a process and reads what it loaded: module by module as
 * tsc built it (the bundle runs each module's code at the same first require), and as installed,
 * where short commands run from the bundle with its code cache.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CLI, CLI_AS_BUILT } from './helpers/cli';
import { LONG_RUNNING_COMMANDS } from '../src/cli/long-running';

/** Packages a command that only talks to the server must not load (hundreds of modules each). */
const HEAVY = [
  '@temporalio/worker',
  '@temporalio/core-bridge',
  '@temporalio/interceptors-opentelemetry',
  '@anthropic-ai/sdk',
  '@opentelemetry/sdk-trace-node',
  '@opentelemetry/exporter-trace-otlp-http',
  'express',
  'pino',
  'rxjs',
];

/** The files and packages (by name) that `orchestra <args>` loaded, and how it exited. */
async function loadedBy(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  cli = CLI_AS_BUILT,
): Promise<{ code: number; stderr: string; packages: Set<string>; files: string[] }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-startup-'));
  const probe = path.join(dir, 'probe.js');
  const out = path.join(dir, 'modules.json');
  await writeFile(
    probe,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));`,
  );
  const { code, stderr } = await new Promise<{ code: number; stderr: string }>((resolve) =>
    execFile(
      process.execPath,
      ['--require', probe, cli, ...args],
      { env: { ...process.env, TEMPORAL_ADDRESS: process.env.ORCHESTRA_TEST_ADDRESS, ...env } },
      (error, _stdout, stderr) =>
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
    ),
  );
  const files = JSON.parse(await readFile(out, 'utf8')) as string[];
  const names = files
    .map((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1])
    .filter((n) => n !== undefined);
  return { code, stderr, packages: new Set(names), files };
}

const heavyIn = (packages: Set<string>) => HEAVY.filter((name) => packages.has(name));

test('agent status and agent list load the client, not the worker, the model client, Express or tracing', async () => {
  const status = await loadedBy(['agent', 'status', `no-such-agent-${Date.now()}`]);
  expect(status.code).toBe(3); // unknown agent: it did ask the server
  expect(status.packages.has('@temporalio/client')).toBe(true); // the probe sees packages
  expect(heavyIn(status.packages)).toEqual([]);

  const list = await loadedBy(['agent', 'list', '--json']);
  expect({ code: list.code, stderr: list.stderr }).toEqual({ code: 0, stderr: '' }); // stderr says why if not
  expect(heavyIn(list.packages)).toEqual([]);
});

test('--version loads none of them either', async () => {
  const version = await loadedBy(['--version']);
  expect({ code: version.code, stderr: version.stderr }).toEqual({ code: 0, stderr: '' }); // stderr says why if not
  expect(heavyIn(version.packages)).toEqual([]);
});

test('the probe sees them where they belong: tracing loads the OpenTelemetry SDK when configured', async () => {
  // A collector that is not there: the spans fail to leave, the command does not.
  const traced = await loadedBy(['agent', 'list', '--json'], {
    ORCHESTRA_OTEL_ENDPOINT: 'http://127.0.0.1:9/v1/traces',
  });
  expect({ code: traced.code, stderr: traced.stderr }).toMatchObject({ code: 0 });
  expect(traced.packages.has('@opentelemetry/sdk-trace-node')).toBe(true);
  expect(traced.packages.has('@anthropic-ai/sdk')).toBe(false);
});

describe('as installed', () => {
  const DIR = path.dirname(CLI);

  test('a short command runs from the bundle alone: no module of the package or its dependencies is required', async () => {
    const status = await loadedBy(['agent', 'status', `no-such-agent-${Date.now()}`], {}, CLI);
    expect(status.code).toBe(3); // it did ask the server
    // The bundle runs as a script (with its code cache): the launcher and its list of the long-running
    // commands are the only modules besides the probe.
    expect(status.files.filter((f) => !f.endsWith('probe.js'))).toEqual([
      CLI,
      path.join(DIR, 'long-running.js'),
    ]);
  });

  test('the long-running commands, and any with tracing on, run main.js as built, and are not in the bundle', async () => {
    for (const command of LONG_RUNNING_COMMANDS) {
      const run = await loadedBy([command, '--help'], {}, CLI);
      expect({ command, code: run.code, asBuilt: run.files.includes(CLI_AS_BUILT) }).toEqual({
        command,
        code: 0,
        asBuilt: true,
      });
    }
    const traced = await loadedBy(
      ['agent', 'list', '--json'],
      { ORCHESTRA_OTEL_ENDPOINT: 'http://127.0.0.1:9/v1/traces' },
      CLI,
    );
    expect({ code: traced.code, files: traced.files }).toMatchObject({
      code: 0,
      files: expect.arrayContaining([CLI_AS_BUILT]),
    });
    const made = JSON.parse(await readFile(path.join(DIR, 'bundle.inputs.json'), 'utf8')) as {
      inputs: string[];
    };
    expect(
      made.inputs.filter((f) => /^dist\/workers\/|\/(express|@temporalio\/worker|webpack)\//.test(f)),
    ).toEqual([]);
  });

  test('the code cache the build made is taken, not made again', async () => {
    const { hash } = JSON.parse(await readFile(path.join(DIR, 'bundle.inputs.json'), 'utf8')) as {
      hash: string;
    };
    const cache = path.join(DIR, `bundle.${hash}.cache`);
    // A first run makes it anew only if this Node refuses the build's (another version or flags).
    await loadedBy(['--version'], {}, CLI);
    const made = (await stat(cache)).mtimeMs;
    expect((await loadedBy(['--version'], {}, CLI)).code).toBe(0);
    expect((await stat(cache)).mtimeMs).toBe(made);
  });
});
