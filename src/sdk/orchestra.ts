/**
 * Orchestra as a library: one object that spawns, watches and steers agents, swarms, sessions
 * and approvals, over the client layer in src/temporal. The CLI and the control API act
 * through it too, so all three behave alike.
 *
 *   const orchestra = await Orchestra.connect();              // TEMPORAL_ADDRESS, ... as the CLI reads them
 *   const { id } = await orchestra.agents.spawn({ task: 'fix the failing test', cwd: '/src/app' });
 *   for await (const event of orchestra.agents.watch(id)) console.log(event.type);
 *   const result = await orchestra.agents.wait(id);
 */
import type { Client } from '@temporalio/client';
import { loadConfig } from '../config';
import { clientDefaults } from '../config-file';
import type { AgentDefaults, ControlAction, PendingApproval } from '../domain';
import {
  agentEvents,
  agentStatus,
  agentTranscript,
  controlAgent,
  listAgents,
  waitForAgent,
  type AgentListFilter,
} from '../temporal/agents';
import { answerApproval, findApproval, listApprovals, type ApprovalScope } from '../temporal/approvals';
import { listChanges } from '../temporal/changes';
import { closeConnection, connectClient } from '../temporal/connection';
import type { ControlSent } from '../temporal/control';
import { inFlight } from '../temporal/in-flight';
import { look } from '../temporal/look';
import { modelLimits } from '../temporal/limits';
import { controlSession, createSession, listSessions, sessionStatus } from '../temporal/sessions';
import { watchAgent, type WatchOptions } from '../temporal/watch';
import { spawnInZone, zonesOf } from './zones';
import {
  controlSwarm,
  listSwarms,
  startSwarm,
  swarmEvents,
  swarmStatus,
  waitForSwarm,
} from '../temporal/swarms';
import { addSwarmAgent, closeSwarm } from '../temporal/swarm-intake';

export interface OrchestraOptions {
  /** The environment to read settings from (TEMPORAL_ADDRESS, ORCHESTRA_TASK_QUEUE, ...). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** A Temporal client of your own (its connection stays yours to close). */
  client?: Client;
  /**
   * Give each read (status, events, transcript) 10 s, then ask once more: a query that reaches
   * the server just as the workflow closes can otherwise wait out the server's 30 s query
   * timeout (src/temporal/look.ts). Turn it off when you set deadlines of your own
   * (`client.withDeadline`), as the control API does: this one would replace yours.
   * @default true
   */
  retryStalledReads?: boolean;
}

/** Who owns what is started, and in which workspace (the API places each caller's work in theirs). */
export interface Placement {
  owner?: string;
  workspace?: string;
}

type ListFilter = Parameters<typeof listSwarms>[1];
/** A swarm's or a session's control requests (agents take `message` too). */
type GroupAction = Exclude<ControlAction, 'message'>;

const reason = (why?: string) => (why ? { reason: why } : {});

export class Orchestra {
  private readonly read: <T>(ask: () => Promise<T>) => Promise<T>;
  /** Zones: a workspace's named groups of agents (src/sdk/zones.ts). */
  readonly zones: ReturnType<typeof zonesOf>;

  private constructor(
    /** The Temporal client underneath, for anything Orchestra does not wrap. */
    readonly client: Client,
    private readonly defaults: AgentDefaults,
    private readonly ownsClient: boolean,
    retryStalledReads: boolean,
  ) {
    this.read = retryStalledReads ? (ask) => look(client, ask) : (ask) => ask();
    this.zones = zonesOf(client, defaults, this.read);
  }

  /** Connect with the settings the CLI reads (TLS and API keys included). */
  static async connect(options: OrchestraOptions = {}): Promise<Orchestra> {
    const config = loadConfig(options.env);
    const client = options.client ?? (await connectClient(config, { env: options.env }));
    return new Orchestra(
      client,
      clientDefaults(config),
      options.client === undefined,
      options.retryStalledReads ?? true,
    );
  }

  /** Over a client you hold, with the task queue, model and config file given (the control API's way). */
  static over(
    client: Client,
    defaults: AgentDefaults,
    options: Pick<OrchestraOptions, 'retryStalledReads'> = {},
  ): Orchestra {
    return new Orchestra(client, defaults, false, options.retryStalledReads ?? true);
  }

  private placed(placement: Placement): AgentDefaults {
    return { ...this.defaults, ...placement };
  }

  readonly agents = {
    /** Start an agent (the API's spawn body: task, cwd, name, type, model, tools, limits, policy, zone, ...). */
    spawn: (request: Record<string, unknown> & { task: string }, placement: Placement = {}) =>
      spawnInZone(this.client, this.placed(placement), request),
    /** Its status, progress and result; of one run (`runId`) when given, else the latest. */
    status: (id: string, runId?: string) => this.read(() => agentStatus(this.client, id, runId)),
    /** Its events after a sequence number, at most `limit` of them. */
    events: (id: string, after = 0, limit?: number) =>
      this.read(() => agentEvents(this.client, id, after, limit)),
    transcript: (id: string) => this.read(() => agentTranscript(this.client, id)),
    list: (filter: AgentListFilter = {}) => listAgents(this.client, filter),
    /** The model call or tool it runs right now, with the model's text so far; undefined between calls. */
    inFlight: (id: string) => inFlight(this.client, id),
    pause: (id: string, why?: string) => controlAgent(this.client, id, 'pause', reason(why)),
    resume: (id: string, task?: string) => controlAgent(this.client, id, 'resume', task ? { task } : {}),
    cancel: (id: string, why?: string) => controlAgent(this.client, id, 'cancel', reason(why)),
    message: (id: string, content: string) => controlAgent(this.client, id, 'message', { content }),
    /** Any control request with its payload as the workflow takes it (signals.ts). */
    control: (id: string, action: ControlAction, payload: object = {}): Promise<ControlSent> =>
      controlAgent(this.client, id, action, payload),
    /** Its result once it ends (completed, failed or cancelled). */
    wait: (id: string) => waitForAgent(this.client, id),
    /** Its events as they happen, until it ends (or, with `untilWaiting`, waits for input). */
    watch: (id: string, options: Pick<WatchOptions, 'after' | 'pollMs' | 'untilWaiting' | 'idle'> = {}) =>
      watchAgent(this.client, id, { ...options, read: this.read }),
  };

  readonly swarms = {
    /** Start a swarm (the API's body: `{ spec: { strategy, task, ... }, cwd, ... }`). */
    start: (request: Record<string, unknown>, placement: Placement = {}) =>
      startSwarm(this.client, this.placed(placement), request),
    status: (id: string, runId?: string) => this.read(() => swarmStatus(this.client, id, runId)),
    events: (id: string, after = 0, limit?: number) =>
      this.read(() => swarmEvents(this.client, id, after, limit)),
    list: (filter: ListFilter = {}) => listSwarms(this.client, filter),
    pause: (id: string, why?: string) => controlSwarm(this.client, id, 'pause', reason(why)),
    resume: (id: string) => controlSwarm(this.client, id, 'resume'),
    cancel: (id: string, why?: string) => controlSwarm(this.client, id, 'cancel', reason(why)),
    control: (id: string, action: GroupAction, payload: object = {}) =>
      controlSwarm(this.client, id, action, payload),
    wait: (id: string) => waitForSwarm(this.client, id),
    /**
     * Add an agent (a spec's agent template: task, name, model, tools, ...) to a running parallel
     * swarm; answers with the new member's id, or refuses (closed, ended, paused, maxSubagents).
     */
    add: (id: string, agent: Record<string, unknown>) => addSwarmAgent(this.client, id, agent),
    /** Close a parallel swarm: no more agents; an open one ends once the ones it has are done. */
    close: (id: string, why?: string) => closeSwarm(this.client, id, why),
  };

  readonly sessions = {
    create: (request: Record<string, unknown> = {}, placement: Placement = {}) => {
      const { owner, workspace, taskQueue } = this.placed(placement);
      return createSession(this.client, taskQueue, request, { owner, workspace });
    },
    status: (id: string, runId?: string) => this.read(() => sessionStatus(this.client, id, runId)),
    list: (filter: ListFilter = {}) => listSessions(this.client, filter),
    pause: (id: string, why?: string) => controlSession(this.client, id, 'pause', reason(why)),
    resume: (id: string) => controlSession(this.client, id, 'resume'),
    cancel: (id: string, why?: string) => controlSession(this.client, id, 'cancel', reason(why)),
    control: (id: string, action: GroupAction, payload: object = {}) =>
      controlSession(this.client, id, action, payload),
  };

  readonly approvals = {
    list: (scope: ApprovalScope = {}) => listApprovals(this.client, scope),
    /** One pending approval by its call id (`agentId` when the id is not unique), within `workspaces` if given. */
    find: (callId: string, where: { agentId?: string; workspaces?: string[] } = {}) =>
      findApproval(this.client, callId, where),
    /**
     * Allow or deny one (a call id, or an approval `find` returned), recorded as `user`
     * (default: this process's configured user).
     */
    answer: async (
      approval: string | PendingApproval,
      answer: { decision: 'allow' | 'deny'; note?: string; agentId?: string; user?: string },
    ) => {
      const { agentId, user, ...rest } = answer;
      const pending =
        typeof approval === 'string' ? await findApproval(this.client, approval, { agentId }) : approval;
      return answerApproval(this.client, pending, { ...rest, user: user ?? this.defaults.owner });
    },
  };

  /**
   * Agents and swarms at work now, or started or closed since `since`, in one visibility query
   * (`onCall` counts its pages), of `workspaces` only when given: what a live feed reads each
   * tick, whatever the number idle.
   */
  changes(since: Date, onCall?: () => void, workspaces?: string[]) {
    return listChanges(this.client, since, onCall, workspaces);
  }

  /**
   * The model-call limiter of one worker of the task queue (calls, waits, 429s, 529s, the limit
   * now), and how many workers poll it: each keeps its own. With ORCHESTRA_MODEL_RPM, `fleet` is
   * the fleet's rate a minute, as the server keeps it.
   */
  limits() {
    return modelLimits(this.client, this.defaults.taskQueue, this.read);
  }

  /** Close the connection, when Orchestra opened it. */
  async close(): Promise<void> {
    if (this.ownsClient) await closeConnection(this.client.connection);
  }
}
