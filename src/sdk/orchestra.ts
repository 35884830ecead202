/**
 * Orchestra as a library: one object that spawns, watches and steers agents, swarms, sessions
 * and approvals, over the same client layer (src/temporal) the CLI and the API use.
 *
 *   const orchestra = await Orchestra.connect();              // TEMPORAL_ADDRESS, ... as the CLI reads them
 *   const { id } = await orchestra.agents.spawn({ task: 'fix the failing test', cwd: '/src/app' });
 *   for await (const event of orchestra.agents.watch(id)) console.log(event.type);
 *   const result = await orchestra.agents.wait(id);
 */
import type { Client } from '@temporalio/client';
import { loadConfig, type OrchestraConfig } from '../config';
import { clientDefaults } from '../config-file';
import type { AgentDefaults } from '../domain';
import {
  agentEvents,
  agentStatus,
  agentTranscript,
  controlAgent,
  listAgents,
  spawnAgent,
  waitForAgent,
  type AgentListFilter,
} from '../temporal/agents';
import { answerApproval, findApproval, listApprovals, type ApprovalScope } from '../temporal/approvals';
import { connectClient } from '../temporal/connection';
import { controlSession, createSession, listSessions, sessionStatus } from '../temporal/sessions';
import { watchAgent, type WatchOptions } from '../temporal/watch';
import {
  controlSwarm,
  listSwarms,
  startSwarm,
  swarmEvents,
  swarmStatus,
  waitForSwarm,
} from '../temporal/swarms';

export interface OrchestraOptions {
  /** The environment to read settings from (TEMPORAL_ADDRESS, ORCHESTRA_TASK_QUEUE, ...). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** A Temporal client of your own (its connection stays yours to close). */
  client?: Client;
}

type ListFilter = Parameters<typeof listSwarms>[1];

export class Orchestra {
  private constructor(
    /** The Temporal client underneath, for anything Orchestra does not wrap. */
    readonly client: Client,
    readonly config: OrchestraConfig,
    private readonly defaults: AgentDefaults,
    private readonly ownsClient: boolean,
  ) {}

  /** Connect with the settings the CLI reads (TLS and API keys included). */
  static async connect(options: OrchestraOptions = {}): Promise<Orchestra> {
    const config = loadConfig(options.env);
    const client = options.client ?? (await connectClient(config));
    return new Orchestra(client, config, clientDefaults(config), options.client === undefined);
  }

  readonly agents = {
    /** Start an agent (the API's spawn body: task, cwd, name, type, model, tools, limits, policy, ...). */
    spawn: (request: Record<string, unknown> & { task: string }) =>
      spawnAgent(this.client, this.defaults, request),
    status: (id: string) => agentStatus(this.client, id),
    events: (id: string, after = 0) => agentEvents(this.client, id, after),
    transcript: (id: string) => agentTranscript(this.client, id),
    list: (filter: AgentListFilter = {}) => listAgents(this.client, filter),
    pause: (id: string, reason?: string) => controlAgent(this.client, id, 'pause', reason ? { reason } : {}),
    resume: (id: string, task?: string) => controlAgent(this.client, id, 'resume', task ? { task } : {}),
    cancel: (id: string, reason?: string) =>
      controlAgent(this.client, id, 'cancel', reason ? { reason } : {}),
    message: (id: string, content: string) => controlAgent(this.client, id, 'message', { content }),
    /** Its result once it ends (completed, failed or cancelled). */
    wait: (id: string) => waitForAgent(this.client, id),
    /** Its events as they happen, until it ends (or, with `untilWaiting`, waits for input). */
    watch: (id: string, options: Pick<WatchOptions, 'after' | 'pollMs' | 'untilWaiting'> = {}) =>
      watchAgent(this.client, id, options),
  };

  readonly swarms = {
    /** Start a swarm (the API's body: `{ spec: { strategy, task, ... }, cwd, ... }`). */
    start: (request: Record<string, unknown>) => startSwarm(this.client, this.defaults, request),
    status: (id: string) => swarmStatus(this.client, id),
    events: (id: string, after = 0) => swarmEvents(this.client, id, after),
    list: (filter: ListFilter = {}) => listSwarms(this.client, filter),
    pause: (id: string, reason?: string) => controlSwarm(this.client, id, 'pause', reason ? { reason } : {}),
    resume: (id: string) => controlSwarm(this.client, id, 'resume'),
    cancel: (id: string, reason?: string) =>
      controlSwarm(this.client, id, 'cancel', reason ? { reason } : {}),
    wait: (id: string) => waitForSwarm(this.client, id),
  };

  readonly sessions = {
    create: (request: Record<string, unknown> = {}) =>
      createSession(this.client, this.defaults.taskQueue, request, {
        owner: this.defaults.owner,
        workspace: this.defaults.workspace,
      }),
    status: (id: string) => sessionStatus(this.client, id),
    list: (filter: ListFilter = {}) => listSessions(this.client, filter),
    pause: (id: string, reason?: string) =>
      controlSession(this.client, id, 'pause', reason ? { reason } : {}),
    resume: (id: string) => controlSession(this.client, id, 'resume'),
    cancel: (id: string, reason?: string) =>
      controlSession(this.client, id, 'cancel', reason ? { reason } : {}),
  };

  readonly approvals = {
    list: (scope: ApprovalScope = {}) => listApprovals(this.client, scope),
    /** Allow or deny one, recorded as `user` (default: this process's configured user). */
    answer: async (
      callId: string,
      answer: { decision: 'allow' | 'deny'; note?: string; agentId?: string; user?: string },
    ) => {
      const { agentId, user, ...rest } = answer;
      const approval = await findApproval(this.client, callId, { agentId });
      return answerApproval(this.client, approval, { ...rest, user: user ?? this.defaults.owner });
    },
  };

  /** Close the connection, when Orchestra opened it. */
  async close(): Promise<void> {
    if (this.ownsClient) await this.client.connection.close();
  }
}
