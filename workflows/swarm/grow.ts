/**
 * A parallel swarm that grows while it runs: the members it started with, those the `addAgent`
 * Update adds (isolated, budgeted and reported like the others), and the `close` that ends the
 * intake. An open swarm (spec `open`) starts with none and ends only once closed; any other
 * parallel swarm takes agents until its own are done. Other strategies refuse both, saying why.
 */
import * as wf from '@temporalio/workflow';
import type { AgentConfig } from '../../src/domain/agent';
import type { AgentTemplate } from '../../src/domain/agent-template';
import { ControlRejection } from '../../src/domain/protocol-payloads';
import { expandTemplate } from '../../src/domain/resolve';
import { plannedAgents, type ParallelSpec } from '../../src/domain/swarm';
import {
  addAgentPayload,
  closeSwarmPayload,
  type AddedAgent,
  type SwarmClosed,
} from '../../src/domain/swarm-intake';
import type { SwarmAgent } from '../../src/domain/swarm-outcome';
import { IDEMPOTENT_TOOL } from '../../src/domain/tool-profiles';
import { reportEvery } from '../../src/domain/usage-report';
import type { Activities } from '../../activities';
import { judge, reject, type Verdict } from '../control-handlers';
import { described } from '../handler-descriptions';
import { addAgentUpdate, closeSignal, closeUpdate } from '../protocol';
import type { SwarmRun } from './run';
import type { Collapse } from './collapse';

const { lookupAgent } = wf.proxyActivities<Activities>(IDEMPOTENT_TOOL);

/** Swarms started before agents could be added replay as they ran: their members awaited at once. */
const PATCH = 'parallel-swarm-intake';

const refused = (reason: string): Verdict<never> => ({ ok: false, type: ControlRejection.refused, reason });

export class Intake {
  private readonly runs: Array<Promise<SwarmAgent>> = [];
  private settled = 0;
  /** Adds accepted whose agent is not in the swarm's list yet: they count against maxSubagents. */
  private joining = 0;
  private added = 0;
  /** Why it takes no more agents: closed by a person, or its members are being merged. */
  private shut?: 'closed' | 'merging';
  private readonly watchers: Array<(agent: SwarmAgent) => void> = [];
  private collapse?: Collapse;
  private extra: Partial<AgentConfig> = {};

  constructor(
    private readonly swarm: SwarmRun,
    private readonly spec: ParallelSpec,
  ) {}

  /** Members scored by the collapse controller, when the spec asks for it (collapse.ts). */
  collapseWith(collapse: Collapse | undefined, extra: Partial<AgentConfig>): void {
    this.collapse = collapse;
    this.extra = extra;
  }

  /** Start one member, in a worktree of its own when it writes, and track it. */
  run(template: AgentTemplate, task: string, role: string, extra: Partial<AgentConfig> = {}): void {
    const run = this.swarm.runAgent(template, task, role, { ...extra, ...this.extra }, { isolate: true });
    // No extra step without collapse: a first merge's cancels keep their place in older histories.
    const collapse = this.collapse;
    this.track(collapse ? run.then((agent) => collapse.settled(agent)) : run);
  }

  /** A member's run: waited for by `all`, and shown to every watcher when it ends. */
  track(run: Promise<SwarmAgent>): void {
    this.runs.push(run);
    void run.then(
      (agent) => {
        this.settled++;
        for (const watch of this.watchers) watch(agent);
      },
      () => this.settled++,
    );
  }

  /** Called with each member, present or added later, as it ends. */
  onEnd(watch: (agent: SwarmAgent) => void): void {
    this.watchers.push(watch);
  }

  /** Take no more agents (a `first` merge has its winner). */
  close(): void {
    this.shut ??= 'closed';
  }

  /** Every member's end, once no more can join: an open swarm's once it is closed (or stopped). */
  async all(): Promise<SwarmAgent[]> {
    if (wf.patched(PATCH)) {
      while (!this.complete()) await wf.condition(() => this.complete());
      this.shut ??= 'merging';
    }
    return Promise.all(this.runs);
  }

  private complete(): boolean {
    if (this.swarm.stopped) return true;
    return (
      this.settled === this.runs.length && this.joining === 0 && (!this.spec.open || this.shut !== undefined)
    );
  }

  /** Why an agent cannot join now, if it cannot (`mine`: the caller's own join, already counted). */
  refusal(mine = 0): string | undefined {
    const { swarm } = this;
    const id = swarm.input.id;
    if (swarm.stopped) return `swarm ${id} is stopping: it takes no new agents`;
    if (this.shut === 'closed') return `swarm ${id} is closed: it takes no new agents`;
    if (this.shut) return `swarm ${id} has all its agents: it is merging their results`;
    if (swarm.currentStatus === 'paused') return `swarm ${id} is paused: resume it, then add the agent`;
    const max = swarm.input.budgets.maxSubagents;
    const count = swarm.headcount() + this.joining - mine;
    if (count >= max) return `budget exceeded: maxSubagents (${max}); swarm ${id} has ${count} agents`;
    return undefined;
  }

  /** Start one agent from its template; answers once it is in the swarm's list, with its id. */
  async add(template: AgentTemplate): Promise<AddedAgent> {
    this.joining++;
    try {
      const t = template.agent ? await this.fromRegistry(template) : template;
      // The registry lookup took a while: the swarm may have closed, or filled up, meanwhile.
      const late = this.refusal(1);
      if (late) reject(refused(late));
      const role = `added ${++this.added}`;
      const { swarm } = this;
      const from = swarm.agents.length;
      const every = reportEvery(
        swarm.input.budgets,
        Math.max(plannedAgents(swarm.input), from + this.joining),
      );
      this.run(t, t.task ?? this.spec.task, role, { reportEvery: every });
      const mine = () => swarm.agents.slice(from).find((a) => a.role === role);
      await wf.condition(() => mine() !== undefined || swarm.stopped);
      const agent = mine();
      if (!agent) reject(refused(`swarm ${swarm.input.id} stopped before the agent started`));
      return { swarmId: swarm.input.id, id: agent!.id, name: agent!.name, role };
    } finally {
      this.joining--;
    }
  }

  /** A template naming a registry entry, filled in from this worker's registry (as the `task` tool's). */
  private async fromRegistry(template: AgentTemplate): Promise<AgentTemplate> {
    const name = template.agent!;
    let profile;
    try {
      profile = await lookupAgent({ name });
    } catch (err) {
      const cause = err instanceof wf.ActivityFailure && err.cause ? err.cause.message : String(err);
      throw wf.ApplicationFailure.create({
        type: ControlRejection.badPayload,
        message: cause,
        nonRetryable: true,
      });
    }
    const input = this.swarm.input;
    input.profiles = { ...input.profiles, [name]: profile };
    return expandTemplate(template, profile);
  }

  /** Close: no more agents; an open swarm ends once the ones it has are done. */
  closeNow(reason?: string): SwarmClosed {
    this.close();
    const agents = this.swarm.agents.length + this.joining;
    this.swarm.record({ type: 'closed', agents, ...(reason ? { reason } : {}) });
    return { swarmId: this.swarm.input.id, agents };
  }

  closeRefusal(): string | undefined {
    const id = this.swarm.input.id;
    if (this.swarm.stopped) return `swarm ${id} is stopping: there is nothing to close`;
    if (this.shut === 'closed') return `swarm ${id} is closed already`;
    if (this.shut) return `swarm ${id} has all its agents already: it is merging their results`;
    return undefined;
  }
}

/**
 * The `addAgent` and `close` Updates, and the `close` signal (the Web UI's): taken by a parallel
 * swarm's intake, refused by other strategies. A refused Update records nothing; a refused
 * signal is an `ignored` event.
 */
export function installIntake(swarm: SwarmRun, ignored: (signal: string, reason: string) => void): void {
  const intake =
    swarm.strategy === 'parallel' ? new Intake(swarm, swarm.input.spec as ParallelSpec) : undefined;
  swarm.intake = intake;
  const none = `a ${swarm.strategy} swarm takes no agents while it runs: only a parallel swarm does`;
  const decideAdd = (raw: unknown) =>
    intake ? judge(addAgentPayload, raw, () => intake.refusal()) : refused(none);
  const decideClose = (raw: unknown) =>
    intake ? judge(closeSwarmPayload, raw ?? {}, () => intake.closeRefusal()) : refused(none);
  wf.setHandler(addAgentUpdate, (raw) => intake!.add(addAgentPayload.parse(raw).agent), {
    validator: (raw) => reject(decideAdd(raw)),
    ...described('addAgent'),
  });
  wf.setHandler(closeUpdate, (raw) => intake!.closeNow(closeSwarmPayload.parse(raw ?? {}).reason), {
    validator: (raw) => reject(decideClose(raw)),
    ...described('close'),
  });
  wf.setHandler(
    closeSignal,
    (raw) => {
      const verdict = decideClose(raw);
      if (verdict.ok) intake!.closeNow(verdict.payload.reason);
      else ignored('close', verdict.reason);
    },
    described('close'),
  );
}
