/** parallelSwarm: the same task (or one each) to N agents at once, merged first / all / vote / best. */
import { vote } from '../../src/domain/merge';
import type { ParallelSpec, SwarmInput } from '../../src/domain/swarm';
import type { SwarmAgent, SwarmOutcome } from '../../src/domain/swarm-outcome';
import type { Intake } from './grow';
import { askJudge } from './judge';
import { Collapse } from './collapse';
import { runSwarm, type SwarmRun, type StrategyOutcome } from './run';

export function parallelSwarm(input: SwarmInput): Promise<SwarmOutcome> {
  return runSwarm<ParallelSpec>(input, 'parallel', runParallel);
}

async function runParallel(swarm: SwarmRun, spec: ParallelSpec): Promise<StrategyOutcome> {
  const outcome = await decide(swarm, spec);
  // In worktrees, the chosen agents' work goes into the swarm's branch: every success for
  // "all", the one answer chosen otherwise. The rest stays on the agents' own branches.
  const chosen =
    outcome.status !== 'completed'
      ? []
      : spec.merge === 'all'
        ? swarm.agents
        : swarm.agents.filter((a) => a.id === chosenOne(outcome));
  for (const agent of chosen) if (agent.status === 'completed') await swarm.merge(agent);
  return outcome;
}

/** The agent whose answer a first, vote or best merge chose. */
function chosenOne(outcome: StrategyOutcome): string | undefined {
  const m = outcome.merge ?? {};
  const id = m.winner ?? m.best;
  return typeof id === 'string' ? id : undefined;
}

async function decide(swarm: SwarmRun, spec: ParallelSpec): Promise<StrategyOutcome> {
  // Weak members may be collapsed while they run (the judge, after them, never is).
  const collapse = Collapse.start(swarm, spec.collapse);
  // Its members, with those added while it runs (grow.ts).
  const intake = swarm.intake!;
  intake.collapseWith(collapse, Collapse.memberConfig(swarm, spec.collapse));
  spec.agents.forEach((t, i) => intake.run(t, t.task ?? spec.task, t.name ?? `agent ${i + 1}`));
  if (spec.merge === 'first') {
    const outcome = await first(swarm, intake);
    await collapse?.stop();
    return outcome;
  }
  const agents = await intake.all();
  await collapse?.stop();
  const criticalPathMs = longest(agents);
  if (agents.length === 0) return { status: 'failed', error: 'closed with no agents', criticalPathMs };
  const done = agents.filter((a) => a.status === 'completed');
  if (done.length === 0) return { status: 'failed', error: 'every agent failed', criticalPathMs };
  switch (spec.merge) {
    case 'all':
      return {
        status: 'completed',
        result: agents
          .map((a) => `## ${a.name} (${a.id}, ${a.status})\n${a.result ?? a.error ?? ''}`)
          .join('\n\n'),
        merge: {
          merge: 'all',
          results: agents.map((a) => ({ agent: a.id, status: a.status, result: a.result })),
        },
        criticalPathMs,
      };
    case 'vote': {
      const tally = vote(done.map((a) => a.result ?? ''));
      const winner = done[tally.winner];
      return {
        status: 'completed',
        result: winner.result,
        merge: {
          merge: 'vote',
          winner: winner.id,
          tie: tally.tie,
          counts: tally.counts.map((c) => ({
            answer: c.answer,
            votes: c.votes,
            agents: c.voters.map((v) => done[v].id),
          })),
        },
        criticalPathMs,
      };
    }
    case 'best':
      return best(swarm, spec, done, criticalPathMs);
  }
}

/** The first success wins (and closes the swarm to new agents); the others are cancelled, and show so. */
async function first(swarm: SwarmRun, intake: Intake): Promise<StrategyOutcome> {
  let winner: SwarmAgent | undefined;
  intake.onEnd((agent) => {
    if (winner || agent.status !== 'completed') return;
    winner = agent;
    intake.close();
    for (const other of swarm.agents)
      if (other.id !== agent.id && !other.endedAt) swarm.cancelAgent(other.id, `${agent.id} finished first`);
  });
  await intake.all();
  const criticalPathMs = winner ? duration(winner) : longest(swarm.agents);
  if (!winner) return { status: 'failed', error: 'no agent succeeded', criticalPathMs };
  const cancelled = swarm.agents.filter((a) => a.status === 'cancelled').map((a) => a.id);
  return {
    status: 'completed',
    result: winner.result,
    merge: { merge: 'first', winner: winner.id, cancelled },
    criticalPathMs,
  };
}

async function best(
  swarm: SwarmRun,
  spec: ParallelSpec,
  done: SwarmAgent[],
  criticalPathMs: number,
): Promise<StrategyOutcome> {
  const scorer = spec.scorer!;
  if ('named' in scorer) {
    const scores = done.map((a) => (scorer.named === 'longest' ? 1 : -1) * (a.result ?? '').length);
    const bestIndex = scores.indexOf(Math.max(...scores));
    return {
      status: 'completed',
      result: done[bestIndex].result,
      merge: {
        merge: 'best',
        scorer: scorer.named,
        best: done[bestIndex].id,
        scores: done.map((a, i) => ({ agent: a.id, score: scores[i] })),
      },
      criticalPathMs,
    };
  }
  const judged = await askJudge(
    swarm,
    scorer.judge,
    spec.task,
    scorer.rubric,
    done.map((a) => a.result ?? ''),
  );
  const { judge } = judged;
  const path = criticalPathMs + duration(judge);
  if ('error' in judged) return { status: 'failed', error: judged.error, criticalPathMs: path };
  const { verdict } = judged;
  const chosen = done[verdict.best - 1];
  return {
    status: 'completed',
    result: chosen.result,
    merge: {
      merge: 'best',
      scorer: 'judge',
      judge: judge.id,
      best: chosen.id,
      reason: verdict.reason,
      scores: done.map((a, i) => ({ agent: a.id, score: verdict.scores[i] })),
    },
    criticalPathMs: path,
  };
}

export function duration(agent: SwarmAgent): number {
  return (
    agent.metrics?.durationMs ?? (agent.endedAt ? Date.parse(agent.endedAt) - Date.parse(agent.startedAt) : 0)
  );
}

export function longest(agents: SwarmAgent[]): number {
  return Math.max(0, ...agents.map(duration));
}
