/**
 * The collapse controller: beside a parallel or graph swarm's members, every `every` seconds
 * it scores the running ones from their usage reports and cancels the weak ones by policy
 * (src/domain/collapse.ts decides), recording each decision and its reason. A collapsed
 * member in a worktree keeps its work on its branch: the swarm commits it there whatever
 * the member's outcome (run.ts `runAgent`).
 *
 * Swarms without `collapse` run no new command. The field was accepted, and ignored, one
 * commit before the controller existed: a swarm started then with it replays without the
 * controller (the patch), so its history replays as it ran.
 */
import * as wf from '@temporalio/workflow';
import { DEFAULT_TUNING, type AgentConfig } from '../../src/domain/agent';
import { collapseDecisions, type Branch, type CollapseSettings } from '../../src/domain/collapse';
import type { SwarmAgent } from '../../src/domain/swarm-outcome';
import { cancelSignal } from '../protocol';
import { signalAgents } from './agent-signals';
import type { SwarmRun } from './run';

const PATCH = 'swarm-collapse';

/** Whether the spec asks for collapse (and the run is not one started before it existed). */
const wanted = (settings: CollapseSettings | undefined): settings is CollapseSettings =>
  settings !== undefined && settings.policy !== 'off' && wf.patched(PATCH);

export class Collapse {
  /** Members that ended before the controller started (a graph's planner): not branches. */
  private readonly before: Set<string>;
  private stopped = false;
  private readonly loop: Promise<void>;
  /** When the swarm last went on after a pause (0: never paused). */
  private resumedAt = 0;
  /** When each branch was last seen held (paused alone, or waiting for a person). */
  private readonly heldAt = new Map<string, number>();

  private constructor(
    private readonly swarm: SwarmRun,
    private readonly settings: CollapseSettings,
  ) {
    this.before = new Set(swarm.agents.map((a) => a.id));
    this.loop = this.run().catch((err: unknown) => {
      // The swarm cancelled through Temporal: the strategy ends with it.
      if (!wf.isCancellation(err)) throw err;
    });
  }

  /** Start scoring the members started from now on, when the spec asks for it; else nothing. */
  static start(swarm: SwarmRun, settings: CollapseSettings | undefined): Collapse | undefined {
    return wanted(settings) ? new Collapse(swarm, settings) : undefined;
  }

  /**
   * What a member needs to be scored fairly: reports at least twice per scoring (an agent
   * reports every `usageReportSeconds` while it works).
   */
  static memberConfig(swarm: SwarmRun, settings: CollapseSettings | undefined): Partial<AgentConfig> {
    if (!wanted(settings)) return {};
    const tuning = { ...DEFAULT_TUNING, ...swarm.input.tuning };
    const seconds = Math.min(tuning.usageReportSeconds, settings.every / 2);
    return { tuning: { ...tuning, usageReportSeconds: seconds } };
  }

  /** The strategy's members have ended: stop scoring. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** A member as it ended: a collapsed one says why in its error (one that ended first was not collapsed). */
  settled(agent: SwarmAgent): SwarmAgent {
    if (!agent.collapsed) return agent;
    if (agent.status !== 'cancelled') delete agent.collapsed;
    else agent.error = agent.collapsed.reason;
    return agent;
  }

  private async run(): Promise<void> {
    const { every } = this.settings;
    const paused = () => this.swarm.currentStatus === 'paused';
    for (;;) {
      await wf.condition(() => this.stopped || paused(), every * 1000);
      if (this.stopped) return;
      if (paused()) {
        // Paused, nobody moves: the time does not count as a stall, and a full period follows.
        await wf.condition(() => this.stopped || !paused());
        this.resumedAt = Date.now();
        continue;
      }
      // Stopped, everyone is being cancelled anyway.
      if (!this.swarm.stopped) this.score();
    }
  }

  private score(): void {
    const members = this.swarm.agents.filter((a) => !this.before.has(a.id));
    const now = Date.now();
    const running = members.filter((a) => !a.endedAt && !a.collapsed);
    const branches: Branch[] = [];
    for (const a of running) {
      const report = this.swarm.latestReport(a.id);
      // Paused alone, or waiting for a person: not scored, and its stall counts from when it goes on.
      if (report?.status && report.status !== 'running') {
        this.heldAt.set(a.id, now);
        continue;
      }
      const heldUntil = Math.max(this.resumedAt, this.heldAt.get(a.id) ?? 0);
      branches.push({
        id: a.id,
        startedAt: Date.parse(a.startedAt),
        report,
        ...(heldUntil ? { heldUntil } : {}),
      });
    }
    const completed = members.filter((a) => a.status === 'completed').length;
    for (const d of collapseDecisions({ running: branches, completed }, now, this.settings)) {
      running.find((a) => a.id === d.agentId)!.collapsed = { score: d.score, reason: d.reason };
      this.swarm.record({
        type: 'collapsed',
        agentId: d.agentId,
        score: d.score,
        reason: d.reason,
        components: d.components,
      });
      // The agent's own status tells why too (a cancel with a reason), then the swarm cancels it.
      signalAgents([d.agentId], cancelSignal, { reason: d.reason });
      this.swarm.cancelAgent(d.agentId, d.reason);
    }
  }
}
