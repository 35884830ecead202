/**
 * The agent's two clocks, both on workflow time (timers in the history, so a replay sees them
 * fire where they fired). The wall clock runs from the agent's start, whatever it is doing; the
 * idle clock only while it waits for a message. DEFAULT_TIMEOUTS (agent-limits.ts) says who gets which.
 */
import * as wf from '@temporalio/workflow';
import { DEFAULT_TIMEOUTS, type AgentLimits } from '../../src/domain/agent-limits';
import type { AgentInput, AgentState } from '../../src/domain/agent-state';

/** Agents started before the child default existed had no wall clock: their histories have no timer. */
const CHILD_WALL_CLOCK = 'agent-child-wall-clock';

/**
 * At the start of a run: the wall-clock limit in seconds, if any. The child default is settled
 * into the config at the agent's first run, so later runs (continue-as-new) carry it, and an
 * agent that started before it existed never gets it.
 */
export function wallClockSeconds(input: AgentInput): number | undefined {
  const { config } = input;
  const defaulted =
    config.limits.maxWallClockSeconds === undefined &&
    !input.state &&
    !config.delegation &&
    wf.workflowInfo().parent !== undefined;
  if (defaulted && wf.patched(CHILD_WALL_CLOCK))
    config.limits = { ...config.limits, maxWallClockSeconds: DEFAULT_TIMEOUTS.childWallClockSeconds };
  return config.limits.maxWallClockSeconds || undefined;
}

/** The wall clock: once `seconds` have passed since `startedAt`, it says why and calls `onTimeout`. */
export class WallClock {
  /** Why the agent must end, once the time has run out. */
  ranOut?: string;
  private scope?: wf.CancellationScope;

  start(seconds: number | undefined, startedAt: string, onTimeout: () => void): void {
    if (!seconds) return;
    const timeout = () => {
      this.ranOut = `timeout: maxWallClockSeconds (${seconds}) reached`;
      onTimeout();
    };
    const leftMs = Date.parse(startedAt) + seconds * 1000 - Date.now();
    // A run continued as new after the time was up.
    if (leftMs <= 0) return timeout();
    this.scope = new wf.CancellationScope();
    const summary = `maxWallClockSeconds (${seconds})`;
    void this.scope
      .run(() => wf.sleep(leftMs, { summary }))
      .then(
        timeout,
        () => undefined, // stopped: the agent ended first
      );
  }

  /** The agent ends: the timer goes. */
  stop(): void {
    this.scope?.cancel();
    this.scope = undefined;
  }
}

/**
 * Wait until `ready` holds. While the agent waits for a message (idle, or waiting_for_input at
 * the end of a turn) idleTimeoutSeconds runs; paused it does not (a person chose to stop it),
 * and a status change (a pause, a resume) starts it afresh, as `ready` (a message) ends it.
 * The reason when it ran out, else undefined.
 */
export async function waitForWork(
  state: AgentState,
  limits: AgentLimits,
  ready: () => boolean,
): Promise<string | undefined> {
  const seconds = limits.idleTimeoutSeconds;
  if (!seconds) {
    await wf.condition(ready);
    return undefined;
  }
  while (!ready()) {
    const status = state.status;
    const moved = () => ready() || state.status !== status;
    if (status !== 'idle' && status !== 'waiting_for_input') await wf.condition(moved);
    else if (!(await wf.condition(moved, seconds * 1000, { summary: `idleTimeoutSeconds (${seconds})` })))
      return `timeout: idle for ${seconds} s (idleTimeoutSeconds)`;
  }
  return undefined;
}
