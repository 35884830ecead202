/** Finding the Temporal CLI, registering search attributes, and the production compose file. */
import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { parse } from 'yaml';
import { cachedBinary, findOrInstallTemporalCli } from '../src/temporal/cli-binary';
import { ensureNamespace, RETENTION_DAYS } from '../src/temporal/namespace';
import { registerSearchAttributes } from '../src/temporal/register-search-attributes';
import { SEARCH_ATTRIBUTES } from '../src/domain/search-attributes';
import { loadConfig, webUiLink } from '../src/config';
import { spawnAgent } from '../src/temporal/agents';
import { closeConnection, isServerUp } from '../src/temporal/connection';
import { DYNAMIC_CONFIG } from '../src/temporal/dev-server';
import { testAddress } from './helpers/harness';
import { until } from './helpers/poll';
import { freePort } from './helpers/ports';

async function fakeBinary(dir: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, 'temporal');
  await writeFile(file, '#!/bin/sh\necho fake\n');
  await chmod(file, 0o755);
  return file;
}

describe('finding the temporal CLI', () => {
  const savedPath = process.env.PATH;
  afterEach(() => {
    process.env.PATH = savedPath;
  });

  test('$TEMPORAL_CLI first, then PATH, then the project-local cache', async () => {
    const root = await mkdtemp(path.join(tmpdir(), 'orchestra-cli-'));
    const explicit = await fakeBinary(path.join(root, 'explicit'));
    const onPath = await fakeBinary(path.join(root, 'on-path'));
    const cacheDir = path.join(root, 'cache');
    const cached = await fakeBinary(path.dirname(cachedBinary(cacheDir)));

    process.env.PATH = `${path.dirname(onPath)}:/usr/bin:/bin`;
    expect(await findOrInstallTemporalCli({ explicit, cacheDir })).toBe(explicit);
    expect(await findOrInstallTemporalCli({ cacheDir })).toBe(onPath);
    process.env.PATH = '/usr/bin:/bin';
    expect(await findOrInstallTemporalCli({ cacheDir })).toBe(cached);
  });

  test('a $TEMPORAL_CLI that is not executable is a clear error, never silently replaced', async () => {
    await expect(
      findOrInstallTemporalCli({ explicit: '/no/such/temporal', cacheDir: tmpdir() }),
    ).rejects.toThrow('TEMPORAL_CLI is set to /no/such/temporal, which is not an executable file');
  });
});

test('registering search attributes is idempotent, and the dev server has them all', async () => {
  const connection = await Connection.connect({ address: testAddress() });
  try {
    expect(await registerSearchAttributes(connection, 'default')).toEqual([]);
    const listed = await connection.operatorService.listSearchAttributes({ namespace: 'default' });
    for (const key of SEARCH_ATTRIBUTES)
      expect(Object.keys(listed.customAttributes ?? {})).toContain(key.name);
  } finally {
    await closeConnection(connection);
  }
});

describe('configuration', () => {
  test('documented defaults, and a bad value named', () => {
    expect(loadConfig({})).toMatchObject({
      temporalAddress: 'localhost:7233',
      namespace: 'default',
      taskQueue: 'orchestra',
      model: 'claude-sonnet-5-5',
      uiPort: 8233,
    });
    expect(() => loadConfig({ ANTHROPIC_BASE_URL: 'not a url' })).toThrow(
      /bad environment: .*ANTHROPIC_BASE_URL/,
    );
    expect(webUiLink(loadConfig({}), 'agent-x')).toBe(
      'http://localhost:8233/namespaces/default/workflows/agent-x',
    );
  });
});

describe('docker-compose.yml (validated here; no Docker engine runs in tests)', () => {
  const root = path.resolve(__dirname, '..');
  const env = { POSTGRES_PASSWORD: 'from-the-env', ANTHROPIC_API_KEY: 'sk-test' };

  test('Docker Compose itself accepts it (`config`, no engine needed), and refuses it without a database password', async () => {
    const tokens = path.join(root, 'orchestra-tokens.json');
    const hadTokens = await readFile(tokens).then(
      () => true,
      () => false,
    );
    if (!hadTokens) await writeFile(tokens, '{}');
    try {
      const ok = await compose(['config', '-q'], { ...process.env, ...env });
      expect(ok).toMatchObject({ code: 0, stderr: '' });
      const { POSTGRES_PASSWORD: _, ...noPassword } = { ...process.env, ...env };
      const refused = await compose(['config', '-q'], noPassword);
      expect(refused.code).not.toBe(0);
      expect(refused.stderr).toMatch(/set POSTGRES_PASSWORD/);
    } finally {
      if (!hadTokens) await rm(tokens);
    }
  });

  test('Temporal on PostgreSQL from maintained images, the Web UI, setup, workers and API: pinned, restarted, limited, checked', async () => {
    const file = parse(await readFile(path.join(root, 'docker-compose.yml'), 'utf8'));
    const services = file.services as Record<string, Record<string, unknown>>;
    expect(Object.keys(services).sort()).toEqual([
      'api',
      'orchestra-setup',
      'postgresql',
      'temporal',
      'temporal-schema',
      'temporal-ui',
      'worker',
    ]);
    const oneShots = ['temporal-schema', 'orchestra-setup'];
    for (const [name, service] of Object.entries(services)) {
      if (service.image) {
        expect(`${name}: ${service.image}`).toMatch(/:\d[\w.-]*$/); // a pinned tag, never latest
        expect(service.image).not.toMatch(/auto-setup/); // deprecated: not for production
      } else expect(service.build).toBe('.');
      const deps = service.depends_on ?? [];
      for (const dep of Array.isArray(deps) ? deps : Object.keys(deps as object))
        expect(Object.keys(services)).toContain(dep);
      if (oneShots.includes(name)) expect(service.restart).toMatch(/^on-failure/);
      else {
        expect(`${name}: ${String(service.restart)}`).toBe(`${name}: unless-stopped`);
        expect(service.deploy).toMatchObject({ resources: { limits: { cpus: expect.any(String) } } });
      }
      // No password written into the file: each comes from the environment.
      for (const [key, value] of Object.entries((service.environment ?? {}) as Record<string, unknown>))
        if (/PASSWORD|PWD/.test(key)) expect(value).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    }
    expect(services.temporal.image).toMatch(/^temporalio\/server:/);
    expect(services.temporal.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgresql' });
    expect(services.temporal.depends_on).toEqual({
      'temporal-schema': { condition: 'service_completed_successfully' },
    });
    // The schema job's script exists and is the one mounted.
    const [script] = (services['temporal-schema'].volumes as string[])[0].split(':');
    expect(await readFile(path.join(root, script), 'utf8')).toMatch(/temporal-sql-tool/);
    // The production server gets the settings the embedded dev server gets.
    const [mounted] = services.temporal.volumes as string[];
    const [source, target] = mounted.split(':');
    expect(target).toBe(
      `/etc/temporal/${(services.temporal.environment as Record<string, string>).DYNAMIC_CONFIG_FILE_PATH}`,
    );
    const dynamic = parse(await readFile(path.join(root, source), 'utf8')) as Record<
      string,
      Array<{ value: unknown }>
    >;
    expect(Object.entries(dynamic).map(([key, [{ value }]]) => `${key}=${String(value)}`)).toEqual(
      DYNAMIC_CONFIG,
    );
    expect(services.worker.environment).toMatchObject({
      TEMPORAL_ADDRESS: 'temporal:7233',
      ORCHESTRA_TASK_QUEUE: 'orchestra',
    });
    expect(services.worker.healthcheck).toMatchObject({
      test: ['CMD', 'node', 'dist/src/cli/orchestra.js', 'health', '--worker'],
    });
    expect(services['orchestra-setup'].command).toEqual(['setup']);
    // The API listens beyond loopback there, so it must have tokens.
    expect(services.api.command).toEqual(['api']);
    expect(services.api.environment).toMatchObject({
      ORCHESTRA_API_HOST: '0.0.0.0',
      ORCHESTRA_API_TOKENS_FILE: '/run/secrets/orchestra-tokens',
    });
    expect(file.secrets['orchestra-tokens'].file).toBe('./orchestra-tokens.json');
    const dockerfile = await readFile(path.join(root, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/ENTRYPOINT \["node", "dist\/src\/cli\/orchestra.js"\]/);
    // A Node LTS line in support, and a workspaces directory the worker's user can write.
    for (const [, major] of dockerfile.matchAll(/^FROM node:(\d+)/gm))
      expect(Number(major)).toBeGreaterThanOrEqual(22);
    expect(dockerfile).toMatch(/chown node:node \/workspaces[\s\S]*USER node/);
    // The build stage has every file `npm run build` reads (it once lacked the dashboard's and the CLI's).
    const { scripts } = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8')) as {
      scripts: { build: string };
    };
    const copied = [...dockerfile.matchAll(/^COPY (?!--from)(\S+) /gm)].map(([, source]) => source);
    const covers = (source: string, file: string) =>
      new RegExp(`^${source.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}(/|$)`).test(file);
    const read = scripts.build.match(/(tsconfig[\w.]*\.json|scripts\/[\w-]+\.mjs)/g) ?? [];
    expect(read.length).toBeGreaterThan(3);
    expect(read.filter((file) => !copied.some((source) => covers(source, file)))).toEqual([]);
  });
});

/** `docker compose` (the CLI plugin) where it works, else the standalone `docker-compose` (Debian's). */
async function compose(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  const run = (cmd: string, argv: string[]) =>
    new Promise<{ code: number; stderr: string }>((resolve) => {
      const child = spawn(cmd, argv, {
        cwd: path.resolve(__dirname, '..'),
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
      child.on('error', (err) => resolve({ code: 127, stderr: err.message }));
      child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
    });
  const plugin = await run('docker', ['compose', 'version']);
  if (plugin.code === 0) return run('docker', ['compose', ...args]);
  return run('docker-compose', args);
}

test('on a server without our search attributes, spawn says to run setup, and setup fixes it', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-bare-'));
  const port = await freePort();
  const binary = process.env.ORCHESTRA_TEST_TEMPORAL_CLI as string;
  const bare = spawn(
    binary,
    [
      'server',
      'start-dev',
      '--headless',
      '--ip',
      '127.0.0.1',
      '--port',
      String(port),
      '--db-filename',
      path.join(dir, 'db'),
      '--log-level',
      'error',
    ],
    { stdio: 'ignore' },
  );
  const address = `127.0.0.1:${port}`;
  try {
    await until(() => isServerUp(address), Boolean, `the bare server up at ${address}`, 60_000, 200);
    const connection = await Connection.connect({ address });
    const client = new Client({ connection });
    const request = { task: 'hi', cwd: dir };
    await expect(spawnAgent(client, { taskQueue: 'bare', model: 'm' }, request)).rejects.toThrow(
      /no mapping defined for search attribute Orchestra\w+.*run `orchestra setup` once on this server/,
    );
    expect(await registerSearchAttributes(connection, 'default')).toEqual(
      SEARCH_ATTRIBUTES.map((k) => k.name),
    );
    // A production server starts with no namespace: setup creates it, once.
    expect(await ensureNamespace(connection, 'orchestra-fresh')).toBe(true);
    expect(await ensureNamespace(connection, 'orchestra-fresh')).toBe(false);
    const described = await connection.workflowService.describeNamespace({ namespace: 'orchestra-fresh' });
    expect(Number(described.config?.workflowExecutionRetentionTtl?.seconds)).toBe(RETENTION_DAYS * 86_400);
    // The server takes a moment to see new search attributes.
    const spawned = await until(
      () => spawnAgent(client, { taskQueue: 'bare', model: 'm' }, request),
      Boolean,
      'an agent started once the server knows the search attributes',
      30_000,
      200,
    );
    expect(spawned).toMatchObject({ id: expect.any(String) });
    await closeConnection(connection);
  } finally {
    const exited = new Promise((resolve) => bare.once('exit', resolve));
    bare.kill('SIGTERM');
    await exited;
    await rm(dir, { recursive: true, force: true });
  }
});
