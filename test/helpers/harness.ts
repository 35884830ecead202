/**
 * A test harness over real parts: the run's dev server, a worker on a queue of the
 * suite's own, and the scripted Anthropic-compatible server spoken to by the real SDK.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, Connection, isGrpcDeadlineError, type WorkflowClientInterceptor } from '@temporalio/client';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, type WorkerOptions } from '@temporalio/worker';
import {
  DEFAULT_PRICES,
  type SpawnRequest,
  type AgentStatusView,
  type OrchestraFile,
} from '../../src/domain';
import { startScriptedServer, type ScriptedServer } from '../../src/llm/scripted-server';
import type { Script } from '../../src/llm/script';
import { agentStatus, spawnAgent, type AgentDefaults } from '../../src/temporal/agents';
import { closeConnection } from '../../src/temporal/connection';
import { ensureNamespace } from '../../src/temporal/namespace';
import { registerSearchAttributes } from '../../src/temporal/register-search-attributes';
import { startSwarm } from '../../src/temporal/swarms';
import { installRuntimeLogging } from '../../src/logging';
import { createOrchestraWorker, type ModelLimits, type OrchestraWorker } from '../../workers/worker';
import { until } from './poll';
import { harnessesShared, leaseSharedHarness } from './shared-harness';
import { runBundles } from './workflow-bundle';
import type { ResultCacheOptions } from '../../activities/result-cache';
// Loaded with the harness, not at a worker's start (the SDK requires it then): once any
// test.concurrent test has ended, jest refuses a module's first load in the others, and a
// worker a concurrent test starts would fail so.
import '../../src/temporal/payload-converter';

export const TEST_MODEL = 'claude-scripted-test';

export interface Harness {
  address: string;
  /** The namespace of its client and workers: `default`, the run's, unless it has one of its own (ownNamespace). */
  namespace: string;
  client: Client;
  connection: NativeConnection;
  taskQueue: string;
  model: ScriptedServer;
  defaults: AgentDefaults;
  /** Start (another) in-process worker on the suite's queue, or on `taskQueue` (a test's own `location`). */
  startWorker(taskQueue?: string): Promise<RunningWorker>;
  /** The in-process workers running now, the first started first. */
  readonly workers: readonly RunningWorker[];
  /** Stop every worker of the suite (the fleet is down until startWorker). */
  stopWorkers(): Promise<void>;
  /** A fresh empty directory for an agent to work in. */
  tempDir(): Promise<string>;
  /** Remove the directories made so far (by tempDir, spawn and swarm); close does too. */
  removeTempDirs(): Promise<void>;
  /** Register a script and return a task that selects it. */
  script(turns: Script['turns'], options?: { repeatLast?: boolean; task?: string }): string;
  /** A task whose model takes `delayMs` a turn and never ends it: an agent reliably running. */
  busyTask(delayMs: number): string;
  /** Start a swarm with test defaults (a temp directory to work in, fast heartbeats); returns its id. */
  swarm(spec: unknown, extra?: Record<string, unknown>): Promise<string>;
  /** Model requests of the script named in `task`. */
  requestsFor(task: string): ScriptedServer['requests'];
  /** Spawn an agent with test defaults (a temp directory to work in, fast heartbeats); returns its id. */
  spawn(request: Partial<SpawnRequest> & { task: string }): Promise<string>;
  close(): Promise<void>;
}

export interface RunningWorker {
  worker: OrchestraWorker;
  stop(): Promise<void>;
}

export function testAddress(): string {
  const address = process.env.ORCHESTRA_TEST_ADDRESS;
  if (!address)
    throw new Error('ORCHESTRA_TEST_ADDRESS is not set: run the suites through jest (globalSetup)');
  return address;
}

export interface HarnessOptions {
  /** Start a worker in process (default true). */
  worker?: boolean;
  /** Another server than the run's. */
  address?: string;
  /** A real model endpoint instead of the scripted server, and the model to ask. */
  live?: { apiKey: string; baseURL?: string; model: string };
  /** The model queue's limits for the suite's worker. */
  modelLimits?: ModelLimits;
  /** Anything else for the worker (benchmarks raise its concurrency). */
  workerOverrides?: Partial<WorkerOptions>;
  /**
   * Codecs of the client and the worker (encryption), as ORCHESTRA_ENCRYPTION_KEYS would set them.
   * Such a harness runs in a namespace of its own (ownNamespace).
   */
  payloadCodecs?: PayloadCodec[];
  /** A namespace of its own: for suites that kill their workers with -9 (ownNamespace). */
  ownNamespace?: boolean;
  /** A config file's contents, for the worker and for spawns (registry, routing, prices). */
  file?: OrchestraFile;
  /** Other model endpoints by name. */
  backends?: Record<string, { apiKey?: string; baseURL?: string }>;
  /** The swarm result cache's directory and bounds (default: a fresh directory of the suite's own). */
  resultCache?: ResultCacheOptions;
  /** A harness of the suite's own even in a shard, whose suites otherwise share one (shared-harness.ts). */
  own?: boolean;
}

/**
 * The tests' queries, asked once more when the server says one timed out before a worker took
 * it: a query that meets its workflow as it closes can wait out the server's query timeout,
 * and asked again the closed run answers at once. The CLI and the SDK read the same way
 * (src/temporal/look.ts); tests call the client layer directly, so their client does it.
 */
const askQueriesAgain: WorkflowClientInterceptor = {
  async query(input, next) {
    try {
      return await next(input);
    } catch (err) {
      if (!isGrpcDeadlineError(err)) throw err;
      return next(input);
    }
  },
};

/**
 * A namespace of its own, for a harness whose workers must not serve other suites. Every worker
 * also polls the queue of the workspaces' zones stores and cost ledgers (LEDGER_QUEUE), whatever
 * its own. In the run's namespace a sealing worker would take other suites' stores and answer
 * their clients, which hold no keys, in ciphertext (a dashboard's zone create got a 500: the
 * teams suite's CI failure, reproduced so), and their workers could not open what it sealed (a
 * deployment seals in all its processes or in none). A worker a test kills with -9 while it
 * holds another suite's store task makes that suite's change wait out the workflow task timeout.
 */
async function ownNamespace(connection: Connection): Promise<string> {
  const namespace = `test-own-${randomUUID().slice(0, 8)}`;
  await ensureNamespace(connection, namespace);
  // The server knows a new namespace once its cache is refreshed (about a second).
  await until(
    () => registerSearchAttributes(connection, namespace),
    () => true,
    `the namespace ${namespace} and its search attributes`,
  );
  return namespace;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  // Failures the tests provoke on purpose would otherwise fill the output.
  installRuntimeLogging((process.env.ORCHESTRA_LOG_LEVEL as 'warn' | undefined) ?? 'error');
  const address = options.address ?? testAddress();
  const model = await startScriptedServer();
  const connection = await NativeConnection.connect({ address });
  const clientConnection = await Connection.connect({ address });
  const apart = options.payloadCodecs || options.ownNamespace;
  const namespace = apart ? await ownNamespace(clientConnection) : 'default';
  const client = new Client({
    connection: clientConnection,
    namespace,
    ...(options.payloadCodecs ? { dataConverter: { payloadCodecs: options.payloadCodecs } } : {}),
    interceptors: { workflow: [askQueriesAgain] },
  });
  const taskQueue = `test-${randomUUID().slice(0, 8)}`;
  const defaults: AgentDefaults = { taskQueue, model: options.live?.model ?? TEST_MODEL, file: options.file };
  const endpoint = options.live ?? { apiKey: 'test-key', baseURL: model.url };
  const workers: RunningWorker[] = [];
  // Removed at close: a run makes thousands, and /tmp is not always cleaned.
  const tempDirs: string[] = [];
  // A suite's own cache: no answer kept by another suite, or another run, is served to it.
  const resultCache = options.resultCache ?? {
    dir: path.join(tmpdir(), `orchestra-test-cache-${randomUUID().slice(0, 8)}`),
  };

  const startWorker = async (queue = taskQueue): Promise<RunningWorker> => {
    // Elsewhere, a connection of its own: the SDK refuses a second worker on one queue over one
    // connection, and every worker also polls the ledgers' queue.
    const own = queue === taskQueue ? undefined : await NativeConnection.connect({ address });
    const worker = await createOrchestraWorker({
      connection: own ?? connection,
      namespace,
      taskQueue: queue,
      deps: {
        endpoint: { apiKey: endpoint.apiKey, baseURL: endpoint.baseURL },
        backends: options.backends,
        prices: { ...DEFAULT_PRICES, ...options.file?.prices },
        file: options.file,
        defaultModel: defaults.model,
        resultCache,
      },
      ...options.modelLimits,
      payloadCodecs: options.payloadCodecs,
      workflowBundles: runBundles(),
      overrides: options.workerOverrides,
    });
    const running = worker.run();
    const handle: RunningWorker = {
      worker,
      stop: async () => {
        // A stopped worker leaves the list of running ones.
        if (workers.includes(handle)) workers.splice(workers.indexOf(handle), 1);
        worker.shutdown();
        await running;
        await own?.close();
      },
    };
    workers.push(handle);
    return handle;
  };
  if (options.worker !== false) await startWorker();

  const harness: Harness = {
    address,
    namespace,
    client,
    connection,
    taskQueue,
    model,
    defaults,
    startWorker,
    workers,
    async stopWorkers() {
      await Promise.all(workers.splice(0).map((w) => w.stop()));
    },
    async tempDir() {
      const dir = await mkdtemp(path.join(tmpdir(), 'orchestra-test-dir-'));
      tempDirs.push(dir);
      return dir;
    },
    async removeTempDirs() {
      await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
    },
    script(turns, opts = {}) {
      const name = `s-${randomUUID().slice(0, 8)}`;
      model.addScript({ name, match: `[${name}]`, turns, repeatLast: opts.repeatLast });
      return `${opts.task ?? 'scripted task'} [${name}]`;
    },
    requestsFor(task) {
      return model.requests.filter((r) => r.script !== undefined && task.includes(`[${r.script}]`));
    },
    busyTask(delayMs) {
      return harness.script([{ toolCalls: [{ name: 'list_files', input: {} }], delayMs }], {
        repeatLast: true,
      });
    },
    async swarm(spec, extra = {}) {
      const { id } = await startSwarm(client, defaults, {
        spec,
        cwd: await harness.tempDir(),
        tuning: { modelHeartbeatTimeoutSeconds: 5 },
        ...extra,
      });
      return id;
    },
    async spawn(request) {
      const { id } = await spawnAgent(client, defaults, {
        cwd: await harness.tempDir(),
        ...request,
        tuning: { modelHeartbeatTimeoutSeconds: 5, ...request.tuning },
      });
      return id;
    },
    async close() {
      await Promise.all([...workers].map((w) => w.stop()));
      // The client retries some calls on timers of its own (a query refused while an agent's
      // workflow task was busy); one firing after the close throws from the timer into
      // whatever suite runs next. Close once they are surely done, never holding the process.
      setTimeout(() => void closeConnection(clientConnection), 20_000).unref();
      await connection.close();
      await model.stop();
      // After the workers: no activity writes into them any more.
      await harness.removeTempDirs();
      if (!options.resultCache) await rm(resultCache.dir, { recursive: true, force: true });
    },
  };
  return harness;
}

/**
 * Start a harness before the suite and close it after; the returned object stands for it. In a
 * shard, a suite with no options borrows the shard's (test/helpers/shared-harness.ts).
 */
export function useHarness(options: HarnessOptions = {}): Harness {
  const { own, ...rest } = options;
  const borrow = !own && Object.keys(rest).length === 0 && harnessesShared();
  let current: Harness | undefined;
  let release: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (borrow) ({ harness: current, release } = await leaseSharedHarness());
    else current = await startHarness(rest);
  });
  afterAll(() => (release ? release() : current?.close()));
  return new Proxy({} as Harness, {
    get(_target, key) {
      if (!current) throw new Error('the harness is used before beforeAll started it');
      return current[key as keyof Harness];
    },
  });
}

/** Look at an agent's status until `predicate` holds; fails with the last status seen. */
export function waitForStatus(
  client: Client,
  id: string,
  predicate: (view: AgentStatusView) => boolean,
  timeoutMs = 30_000,
): Promise<AgentStatusView> {
  return until(
    // A deadline on each look: a query that reaches the server as the agent closes can wait for
    // the server's query timeout (30 s) instead of failing at once; the next look answers.
    () => client.withDeadline(Date.now() + 5000, () => agentStatus(client, id)),
    predicate,
    `agent ${id} did not reach the expected state`,
    timeoutMs,
  );
}
