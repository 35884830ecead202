/** pipelineSwarm: stages one after another, each stage's output the next one's input. */
import type { PipelineSpec, SwarmInput } from '../../src/domain/swarm';
import type { SwarmOutcome, SwarmStats } from '../../src/domain/swarm-outcome';
import { duration } from './parallel';
import { runSwarm, type SwarmRun, type StrategyOutcome } from './run';

export function pipelineSwarm(input: SwarmInput): Promise<SwarmOutcome> {
  return runSwarm<PipelineSpec>(input, 'pipeline', runPipeline);
}

/** Every stage sees the original task, what the stage before produced, and its own job. */
export function stagePrompt(
  task: string,
  stage: { name: string; task?: string },
  previous?: { stage: string; output: string },
): string {
  return [
    `The overall task:\n${task}`,
    previous ? `The output of the previous stage ("${previous.stage}"):\n${previous.output}` : '',
    `Your stage: ${stage.name}${stage.task ? `\n${stage.task}` : ''}\nReply with this stage's output only.`,
  ]
    .filter(Boolean)
    .join('\n\n');
}

async function runPipeline(swarm: SwarmRun, spec: PipelineSpec): Promise<StrategyOutcome> {
  const outputs: Array<{ stage: string; agent: string; output: string }> = [];
  const stages: NonNullable<SwarmStats['stages']> = [];
  let criticalPathMs = 0;
  for (const stage of spec.stages) {
    const last = outputs[outputs.length - 1];
    const agent = await swarm.runAgent(
      { ...stage, task: undefined },
      stagePrompt(spec.task, stage, last && { stage: last.stage, output: last.output }),
      stage.name,
    );
    criticalPathMs += duration(agent);
    stages.push({
      name: stage.name,
      agents: agent.usage.agents || 1,
      durationMs: duration(agent),
      toolCalls: agent.usage.toolCalls,
      tokens: agent.usage.tokens.input + agent.usage.tokens.output,
    });
    if (agent.status !== 'completed') {
      return {
        status: 'failed',
        error: `stage "${stage.name}" ${agent.status}${agent.error ? `: ${agent.error}` : ''}`,
        merge: { failedStage: stage.name, outputs },
        criticalPathMs,
        stages,
      };
    }
    outputs.push({ stage: stage.name, agent: agent.id, output: agent.result ?? '' });
  }
  return {
    status: 'completed',
    result: outputs[outputs.length - 1].output,
    merge: { outputs },
    criticalPathMs,
    stages,
  };
}
