/** Choosing a swarm's answer: votes over normalised answers, and a judge's scores. Pure. */
import { z } from 'zod';
import { lazy } from './lazy';
import { jsonObjectIn } from './json-reply';

/** Answers that differ only in case, spacing or final punctuation are the same answer. */
export function normalizeAnswer(text: string): string {
  return text
    .trim()
    .toLowerCase()
    .replace(/\s+/g, ' ')
    .replace(/[.!?\s]+$/, '');
}

export interface VoteOutcome {
  /** Index (into the answers) of the winning answer's first voter. */
  winner: number;
  counts: Array<{ answer: string; votes: number; voters: number[] }>;
  /** Several answers had the most votes; the one given first won. */
  tie: boolean;
}

export function vote(answers: string[]): VoteOutcome {
  const counts: VoteOutcome['counts'] = [];
  answers.forEach((raw, i) => {
    const answer = normalizeAnswer(raw);
    const entry = counts.find((c) => c.answer === answer);
    if (entry) {
      entry.votes += 1;
      entry.voters.push(i);
    } else counts.push({ answer, votes: 1, voters: [i] });
  });
  const most = Math.max(...counts.map((c) => c.votes));
  const top = counts.filter((c) => c.votes === most);
  // Deterministic tie-break: the answer whose first voter came first.
  const best = top.reduce((a, b) => (a.voters[0] <= b.voters[0] ? a : b));
  return { winner: best.voters[0], counts, tie: top.length > 1 };
}

/** What a judge must answer: one score per candidate, and the best one. */
export const judgeVerdictSchema = lazy(() =>
  z
    .object({
      scores: z.array(z.number().min(0).max(10)),
      best: z.number().int().min(1),
      reason: z.string().optional(),
    })
    .strict(),
);
export type JudgeVerdict = z.infer<typeof judgeVerdictSchema>;

/** Read a judge's verdict from its reply: the JSON object it ends with, validated. */
export function parseVerdict(text: string, candidates: number): JudgeVerdict | { error: string } {
  const raw = jsonObjectIn(text);
  if (raw === undefined) return { error: 'the judge gave no JSON verdict' };
  if (raw === null) return { error: "the judge's verdict is not valid JSON" };
  const parsed = judgeVerdictSchema.safeParse(raw);
  if (!parsed.success) return { error: `the judge's verdict does not fit: ${z.prettifyError(parsed.error)}` };
  const verdict = parsed.data;
  if (verdict.scores.length !== candidates || verdict.best > candidates) {
    return {
      error: `the judge scored ${verdict.scores.length} of ${candidates} candidates (best ${verdict.best})`,
    };
  }
  return verdict;
}

export function judgePrompt(task: string, rubric: string, candidates: string[]): string {
  return [
    `Task given to ${candidates.length} agents:\n${task}`,
    `Rubric:\n${rubric}`,
    ...candidates.map((c, i) => `Candidate ${i + 1}:\n${c}`),
    'Score every candidate from 0 to 10 against the rubric. End your reply with one JSON object: ' +
      '{"scores": [one number per candidate, in order], "best": <number of the best candidate, from 1>, "reason": "<one line>"}',
  ].join('\n\n');
}
