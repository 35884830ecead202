/**
 * supervisorSwarm: a supervisor agent splits the task and hands pieces to workers with its
 * `delegate` tool; each worker is a child agent, several at once, and its result comes back
 * to the supervisor as the tool's result. In an isolated swarm the swarm runs the workers, each
 * that writes in a tree of its own, its work merged where the supervisor works (delegated.ts).
 */
import { workersPrompt } from '../../src/domain/supervisor-workers';
import type { SupervisorSpec, SwarmInput } from '../../src/domain/swarm';
import type { SwarmOutcome } from '../../src/domain/swarm-outcome';
import { agentLimits } from './agents';
import { DEFAULT_TOOLS } from '../../src/domain/tools';
import { duration } from './parallel';
import { DelegatedWorkers } from './delegated';
import { runSwarm, type SwarmRun, type StrategyOutcome } from './run';

const SUPERVISOR_PROMPT =
  'You are a supervisor. Split the task into independent pieces and hand each to a worker with the ' +
  'delegate tool (several in one reply run at the same time). Check what comes back, delegate fixes if ' +
  'needed, then reply with the combined result.';

export function supervisorSwarm(input: SwarmInput): Promise<SwarmOutcome> {
  return runSwarm<SupervisorSpec>(input, 'supervisor', runSupervisor);
}

async function runSupervisor(swarm: SwarmRun, spec: SupervisorSpec): Promise<StrategyOutcome> {
  const template = spec.supervisor;
  const tools = [...(template.tools ?? DEFAULT_TOOLS), 'delegate' as const];
  const { workers } = spec;
  // Named workers: the supervisor reads who they are at the end of its instructions, whatever they say.
  const prompt = template.systemPrompt ?? SUPERVISOR_PROMPT;
  const named = workers ? { systemPrompt: `${prompt}\n\n${workersPrompt(workers)}` } : {};
  // Isolated (a git repository, or copies), the swarm runs the workers, each in a tree of its own.
  const delegated = swarm.isolated && (swarm.delegated = new DelegatedWorkers(swarm, swarm.isolated));
  let supervisor;
  try {
    supervisor = await swarm.runAgent(
      {
        name: 'supervisor',
        systemPrompt: SUPERVISOR_PROMPT,
        ...template,
        ...named,
        tools: [...new Set(tools)],
      },
      template.task ?? spec.task,
      'supervisor',
      {
        delegation: {
          worker: spec.worker ?? {},
          ...(workers ? { workers } : {}),
          maxConcurrent: spec.maxConcurrent,
          maxWorkers: spec.maxWorkers,
        },
        limits: {
          ...agentLimits(template),
          maxSubagents: Math.max(spec.maxWorkers, template.limits?.maxSubagents ?? 0),
        },
      },
      delegated ? { configured: (config) => delegated.leads(config) } : {},
    );
  } finally {
    if (delegated) await delegated.settle();
  }
  const criticalPathMs = duration(supervisor);
  if (supervisor.status !== 'completed') {
    return {
      status: 'failed',
      error: `the supervisor ${supervisor.status}${supervisor.error ? `: ${supervisor.error}` : ''}`,
      criticalPathMs,
    };
  }
  return {
    status: 'completed',
    result: supervisor.result,
    merge: { supervisor: supervisor.id },
    criticalPathMs,
  };
}
