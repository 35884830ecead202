/** What a swarm strategy hands back, and how it hears that the swarm stopped. */
import type { SwarmStats } from '../../src/domain/swarm-outcome';

/** What a strategy decides. */
export interface StrategyOutcome {
  status: 'completed' | 'failed';
  result?: string;
  error?: string;
  merge?: Record<string, unknown>;
  criticalPathMs: number;
  criticalPathSteps?: number;
  stages?: SwarmStats['stages'];
}

/** The swarm was stopped (cancel, or a budget): strategies stop starting agents. */
export class SwarmStopped extends Error {}
