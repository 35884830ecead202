/** A swarm's merge, told in a sentence: which agent's answer won, and why. */
type Merge = Record<string, unknown>;

const list = (v: unknown): Merge[] => (Array.isArray(v) ? (v as Merge[]) : []);
const str = (v: unknown): string => (typeof v === 'string' || typeof v === 'number' ? String(v) : '?');
const scores = (m: Merge) =>
  list(m.scores)
    .map((s) => `${str(s.agent)} ${str(s.score)}`)
    .join(', ');
const reason = (m: Merge) => (typeof m.reason === 'string' && m.reason ? ` — ${m.reason}` : '');

/** The merge of a swarm's outcome in words; an unknown shape as JSON (its bulky parts left out). */
export function mergeInWords(m: Merge): string {
  switch (m.merge) {
    case 'all': {
      const results = list(m.results);
      const done = results.filter((r) => r.status === 'completed').length;
      return `all ${results.length} results kept (${done} completed)`;
    }
    case 'first': {
      const cancelled = list(m.cancelled).map(str);
      return `the first to finish won: ${str(m.winner)}${cancelled.length ? `; cancelled ${cancelled.join(', ')}` : ''}`;
    }
    case 'vote': {
      const counts = list(m.counts);
      const top = counts.find((c) => list(c.agents).map(str).includes(str(m.winner)));
      const votes = top
        ? ` with ${str(top.votes)} of ${counts.reduce((n, c) => n + Number(c.votes ?? 0), 0)} votes`
        : '';
      return `by vote: ${str(m.winner)}${votes}${m.tie ? ' (a tie, broken by order)' : ''}`;
    }
    case 'best':
      return m.scorer === 'judge'
        ? `the judge ${str(m.judge)} chose ${str(m.best)}${reason(m)} (scores: ${scores(m)})`
        : `best by the ${str(m.scorer)} scorer: ${str(m.best)} (scores: ${scores(m)})`;
  }
  if (m.merge === 'graph') {
    const outputs = list(m.outputs);
    const done = outputs.filter((o) => o.status === 'completed').length;
    const path = list(m.criticalPath).map(str);
    return `a graph of ${outputs.length} subtasks, ${done} completed; critical path ${path.join(' → ')}`;
  }
  if (m.decidedBy === 'vote')
    return `debate of ${list(m.rounds).length} rounds, decided by vote: ${str(m.winner)}${m.tie ? ' (a tie, broken by order)' : ''}`;
  if (m.decidedBy === 'judge')
    return `debate of ${list(m.rounds).length} rounds, decided by the judge ${str(m.judge)}: ${str(m.winner)}${reason(m)}`;
  if (typeof m.failedStage === 'string') return `the pipeline stopped at stage ${m.failedStage}`;
  if ('outputs' in m)
    return `the pipeline ran ${list(m.outputs).length} stages, each output passed to the next`;
  if (typeof m.supervisor === 'string')
    return `the supervisor ${m.supervisor} wrote the result from its workers'`;
  return JSON.stringify(m, (k, v) => (k === 'rounds' || k === 'outputs' || k === 'results' ? undefined : v));
}
