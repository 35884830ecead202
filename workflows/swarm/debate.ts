/** debateSwarm: rounds in which every participant answers the others; then a judge, or a vote. */
import { vote } from '../../src/domain/merge';
import type { DebateSpec, SwarmInput } from '../../src/domain/swarm';
import type { SwarmAgent, SwarmOutcome } from '../../src/domain/swarm-outcome';
import { longest, duration } from './parallel';
import { askJudge } from './judge';
import { runSwarm, type SwarmRun, type StrategyOutcome } from './run';

export function debateSwarm(input: SwarmInput): Promise<SwarmOutcome> {
  return runSwarm<DebateSpec>(input, 'debate', runDebate);
}

interface Argument {
  participant: string;
  agent: string;
  argument: string;
}

export function debatePrompt(
  task: string,
  round: number,
  rounds: number,
  name: string,
  previous: Argument[],
): string {
  const others = previous.filter((a) => a.participant !== name);
  return [
    `Debate, round ${round} of ${rounds}. The question:\n${task}`,
    others.length
      ? `The other participants' arguments from the last round:\n${others.map((a) => `- ${a.participant}: ${a.argument}`).join('\n')}`
      : '',
    round === 1
      ? 'Give your answer and your argument.'
      : 'Answer them: keep or change your answer, and say why.',
  ]
    .filter(Boolean)
    .join('\n\n');
}

async function runDebate(swarm: SwarmRun, spec: DebateSpec): Promise<StrategyOutcome> {
  const names = spec.participants.map((p, i) => p.name ?? `participant ${i + 1}`);
  const rounds: Argument[][] = [];
  let criticalPathMs = 0;
  for (let round = 1; round <= spec.rounds; round++) {
    const previous = rounds[rounds.length - 1] ?? [];
    const agents = await Promise.all(
      spec.participants.map((p, i) =>
        swarm.runAgent(
          { ...p, name: names[i], task: undefined },
          debatePrompt(p.task ?? spec.task, round, spec.rounds, names[i], previous),
          `round ${round}`,
        ),
      ),
    );
    criticalPathMs += longest(agents);
    rounds.push(agents.map((a, i) => ({ participant: names[i], agent: a.id, argument: argumentOf(a) })));
  }
  const final = rounds[rounds.length - 1];
  const transcript = rounds.map((r, i) => ({ round: i + 1, arguments: r }));
  if (!spec.judge) {
    const tally = vote(final.map((a) => a.argument));
    return {
      status: 'completed',
      result: final[tally.winner].argument,
      merge: {
        decidedBy: 'vote',
        winner: final[tally.winner].participant,
        tie: tally.tie,
        counts: tally.counts,
        rounds: transcript,
      },
      criticalPathMs,
    };
  }
  const judged = await askJudge(
    swarm,
    spec.judge,
    spec.task,
    'Which final argument is the most convincing and correct?',
    final.map((a) => `${a.participant}: ${a.argument}`),
  );
  const { judge } = judged;
  criticalPathMs += duration(judge);
  if ('error' in judged)
    return { status: 'failed', error: judged.error, merge: { rounds: transcript }, criticalPathMs };
  const { verdict } = judged;
  const chosen = final[verdict.best - 1];
  return {
    status: 'completed',
    result: chosen.argument,
    merge: {
      decidedBy: 'judge',
      judge: judge.id,
      winner: chosen.participant,
      reason: verdict.reason,
      scores: verdict.scores,
      rounds: transcript,
    },
    criticalPathMs,
  };
}

function argumentOf(agent: SwarmAgent): string {
  return agent.status === 'completed' ? (agent.result ?? '') : `(no argument: ${agent.status})`;
}
