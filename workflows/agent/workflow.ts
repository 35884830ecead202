import type { AgentResult } from '../../src/domain/agent';
import type { AgentInput } from '../../src/domain/agent-state';
import { AgentRun } from './run';

/** One agent, one workflow (id `agent-<id>`). */
export async function agentWorkflow(input: AgentInput): Promise<AgentResult> {
  const run = new AgentRun(input);
  run.installHandlers();
  return run.run();
}
