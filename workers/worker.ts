/**
 * The Orchestra worker: every workflow and the tool activities on the main task queue,
 * and the model calls on a queue of their own (`<queue>-model`), where the provider's
 * limits are kept: at most `modelConcurrency` calls at once per worker, and at most
 * `modelCallsPerMinute` across the whole fleet (the server enforces that one, and the workers
 * lower it on the provider's 429s and raise it back: activities/fleet-rate.ts). Calls
 * over either limit wait in the queue; they do not fail. Every worker also serves the
 * workspaces' day ledgers on their shared queue, so a ledger outlives any one queue's workers.
 */
import * as v8 from 'node:v8';
import type { PayloadCodec } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import { createModelLimiter, DEFAULT_MODEL_CONCURRENCY } from '../activities/model';
import { setFleetRate, setModelLimit } from '../activities/metrics';
import { FleetRate, type FleetRateTuning } from '../activities/fleet-rate';
import { WORKER_IDENTITY } from '../activities/limiter-figures';
import { announceSandbox } from '../activities/tools/sandbox-probe';
import { grepTimeLimitMs } from '../activities/tools/grep';
import { payloadCodecs as codecsFromEnv } from '../src/codec/encryption';
import { tracingPlugin } from '../src/tracing';
import { LEDGER_QUEUE, modelQueue, type WorkerLimits } from '../src/domain';
import { PAYLOAD_CONVERTER_PATH, tracedWorkflowCode, workflowCode, type BundleName } from './bundles';
import { warnIfStackTracesForced } from './stack-traces';

export interface ModelLimits {
  /** Model calls running at once on this worker. @default 100 */
  modelConcurrency?: number;
  /** Model calls per minute across every worker on the queue (0: no limit). @default 0 */
  modelCallsPerMinute?: number;
  /** How that rate adapts to 429s: the cooldown, the floor, the step (activities/fleet-rate.ts). */
  modelRate?: FleetRateTuning;
}

export interface OrchestraWorkerOptions extends ModelLimits {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** Codecs of every payload (default: encryption when ORCHESTRA_ENCRYPTION_KEYS is set). */
  payloadCodecs?: PayloadCodec[];
  /** Override anything else, e.g. `maxConcurrentActivityTaskExecutions`. */
  overrides?: Partial<WorkerOptions>;
  /**
   * Workflow code bundled already, by workflow set (the tests bundle once per run), used unless
   * tracing must bundle its interceptors in. @default the bundles `npm run build` wrote when
   * they are current, else bundled at start
   */
  workflowBundles?: Partial<Record<BundleName, { code: string }>>;
}

/** The workers (agents, model queue, ledgers), run and stopped as one. */
export class OrchestraWorker {
  constructor(
    private readonly workers: Worker[],
    /** This worker's model-call limits, as `orchestra limits` shows them when this worker answers. */
    readonly limits: () => Promise<WorkerLimits>,
  ) {}

  async run(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.run()));
  }

  shutdown(): void {
    for (const w of this.workers) if (w.getState() === 'RUNNING') w.shutdown();
  }
}

/**
 * Defaults for a fleet of hundreds of agents on one worker. An agent's workflow holds a
 * workflow-task slot while its local activities (reads, short model calls) run, and a
 * cached workflow is an agent that needs no replay: both should cover every live agent.
 * Activations run on one thread whatever the slots, so more slots cost memory, not CPU.
 */
export const FLEET_DEFAULTS = {
  /** Agents (and swarms, sessions) kept in memory between their workflow tasks. @default 2000 */
  maxCachedWorkflows: 2000,
  /** Workflow tasks in flight at once, local activities running included. @default 1000 */
  maxConcurrentWorkflowTaskExecutions: 1000,
  /** Local activities (reads, short model calls) at once. @default 1000 */
  maxConcurrentLocalActivityExecutions: 1000,
  /**
   * Tool activities (bash, edit_file, write_file, bookkeeping) at once. The worker adds its
   * model concurrency: queued model calls run on the agents' queue too. @default 200
   */
  maxConcurrentActivityTaskExecutions: 200,
  /** Pollers grow with the backlog and shrink when idle. */
  workflowTaskPollerBehavior: { type: 'autoscaling', maximum: 50 },
  activityTaskPollerBehavior: { type: 'autoscaling', maximum: 50 },
} satisfies Partial<WorkerOptions>;

/**
 * A regular expression that backtracks past V8's budget falls back to V8's linear-time engine,
 * in every isolate of the process (workflow threads included). Patterns refused as
 * catastrophic never reach a workflow (src/domain/regex-safety.ts); this covers the merely
 * polynomial ones (`.*=.*;` on a long line), which could still run past the workflow
 * sandbox's 5 s limit, and which Node then answers by aborting the process.
 */
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

export async function createOrchestraWorker(options: OrchestraWorkerOptions): Promise<OrchestraWorker> {
  warnIfStackTracesForced();
  // Whether bash commands are contained here: a loud warning when not (once per process).
  await announceSandbox();
  grepTimeLimitMs(); // a mistyped limit stops the worker here, not each grep later
  const modelConcurrency = options.modelConcurrency ?? DEFAULT_MODEL_CONCURRENCY;
  const perMinute = options.modelCallsPerMinute ?? 0;
  const modelLimits = { concurrency: modelConcurrency, callsPerMinute: perMinute };
  // The fleet's rate, kept by the server on the model queue, adapts to 429s too (activities/fleet-rate.ts).
  const fleet =
    perMinute > 0
      ? new FleetRate({
          ...options.modelRate,
          perMinute,
          service: options.connection.workflowService,
          namespace: options.namespace,
          taskQueue: modelQueue(options.taskQueue),
          identity: WORKER_IDENTITY,
          observe: setFleetRate,
        })
      : undefined;
  // The worker's model-call limiter (activities/model-limiter.ts): adapts to the provider's 429s and 529s.
  const limiter = createModelLimiter(modelLimits, fleet);
  const activities = createActivities({ ...options.deps, modelLimits, limiter, fleet });
  // Traces (ORCHESTRA_OTEL_ENDPOINT): client, workflow and activity interceptors.
  const tracing = tracingPlugin();
  const shared = {
    connection: options.connection,
    namespace: options.namespace,
    plugins: tracing ? [tracing] : [],
    // Let in-flight activities report before a graceful shutdown gives up on them.
    shutdownGraceTime: '5 seconds',
    // Heartbeats carry cancellation to a running activity; the SDK would otherwise hold them
    // back for up to 80% of the heartbeat timeout (24s for a model call), and a cancelled
    // model call would keep streaming, and billing, that long. Heartbeats also carry a model
    // call's partial text to the API's live stream.
    maxHeartbeatThrottleInterval: '1 second',
    dataConverter: {
      payloadConverterPath: PAYLOAD_CONVERTER_PATH,
      payloadCodecs: options.payloadCodecs ?? codecsFromEnv(),
    },
  } satisfies Partial<WorkerOptions>;
  const code = async (name: BundleName) => {
    if (tracing) return tracedWorkflowCode(name);
    const bundled = options.workflowBundles?.[name];
    return bundled ? { workflowBundle: bundled } : workflowCode(name);
  };
  const main = await Worker.create({
    ...shared,
    ...FLEET_DEFAULTS,
    maxConcurrentActivityTaskExecutions:
      FLEET_DEFAULTS.maxConcurrentActivityTaskExecutions + modelConcurrency,
    taskQueue: options.taskQueue,
    ...(await code('agents')),
    // callModel runs here locally (short calls) and queued; on the model queue only in fleets with a rate limit.
    activities,
    // A dead worker's sticky queue holds its agents' next workflow task until this runs out
    // (SDK default 10s). Agent histories are short (continue-as-new), so a replay elsewhere is cheap.
    stickyQueueScheduleToStartTimeout: '3 seconds',
    ...options.overrides,
  });
  const model = await Worker.create({
    ...shared,
    taskQueue: modelQueue(options.taskQueue),
    activities: { callModel: activities.callModel },
    maxConcurrentActivityTaskExecutions: modelConcurrency,
    activityTaskPollerBehavior: FLEET_DEFAULTS.activityTaskPollerBehavior,
    // The ceiling: the server keeps the fleet's rate, adapted below it (it replaces this once set).
    ...(perMinute > 0 ? { maxTaskQueueActivitiesPerSecond: perMinute / 60 } : {}),
  });
  const ledgers = await Worker.create({
    ...shared,
    taskQueue: LEDGER_QUEUE,
    ...(await code('ledger')),
    stickyQueueScheduleToStartTimeout: '3 seconds',
  });
  // The gauge from the start, not only from the first change (the SDK's runtime exists by now).
  setModelLimit(limiter.figures().limit);
  return new OrchestraWorker([main, model, ledgers], activities.limiterFigures);
}
