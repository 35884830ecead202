/** A judge agent: it scores candidates by a rubric and names the best; its verdict is validated. */
import type { AgentTemplate } from '../../src/domain/agent-template';
import { judgePrompt, parseVerdict, type JudgeVerdict } from '../../src/domain/merge';
import type { SwarmAgent } from '../../src/domain/swarm-outcome';
import type { SwarmRun } from './run';

export type Judgement = { judge: SwarmAgent; verdict: JudgeVerdict } | { judge: SwarmAgent; error: string };

export async function askJudge(
  swarm: SwarmRun,
  template: AgentTemplate,
  task: string,
  rubric: string,
  candidates: string[],
): Promise<Judgement> {
  // A judge reads and decides: no tools unless its template asks for some.
  const judge = await swarm.runAgent(
    { ...template, tools: template.tools ?? [] },
    judgePrompt(task, rubric, candidates),
    'judge',
  );
  if (judge.status !== 'completed') return { judge, error: `the judge ${judge.status}: ${judge.error}` };
  const verdict = parseVerdict(judge.result ?? '', candidates.length);
  return 'error' in verdict ? { judge, error: verdict.error } : { judge, verdict };
}
