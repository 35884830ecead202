/**
 * A supervisor's delegation: the worker's config, made from the supervisor's; and, when its
 * swarm runs the workers (isolated: each one that writes in a tree of its own), the messages
 * between the supervisor and the swarm, and the tool result that tells the supervisor where the
 * worker's work went. Pure: the agent's `delegate` tool and the swarm both use it.
 */
import { z } from 'zod';
import { DEFAULT_SYSTEM_PROMPT, type AgentConfig, type AgentMetrics, type Delegation } from './agent';
import { lazy } from './lazy';
import { AGENT_STATUSES, type AgentStatus } from './status';
import { clipResult } from './subagent-records';
import type { Landing } from './swarm-outcome';

export const SUBAGENT_NOTE =
  'You are a subagent: another agent gave you this task, and your final ' +
  'reply is handed back to it as the result. Make that reply complete and self-contained.';
export const SUBAGENT_PROMPT = `${DEFAULT_SYSTEM_PROMPT}\n\n${SUBAGENT_NOTE}`;

/** A worker of `parent` (a supervisor) from its template: the supervisor's config, with the template's say. */
export function workerConfig(
  parent: AgentConfig,
  worker: Delegation['worker'],
  id: string,
  name: string,
): AgentConfig {
  return {
    ...parent,
    id,
    name,
    type: 'subagent',
    model: worker.model ?? parent.model,
    systemPrompt: worker.systemPrompt ?? SUBAGENT_PROMPT,
    temperature: worker.temperature,
    tools: worker.tools ?? parent.tools.filter((t) => t !== 'delegate'),
    limits: { ...parent.limits, ...worker.limits },
    parentId: parent.id,
    lineage: [...(parent.lineage ?? []), parent.id],
    depth: parent.depth + 1,
    delegation: undefined,
  };
}

/** The line under a subagent's result: how it ended and what it took. */
export function subagentFooter(r: { id: string; status: AgentStatus; metrics?: AgentMetrics }): string {
  const m = r.metrics;
  if (!m) return `[subagent ${r.id} ${r.status} · served from the result cache]`;
  return `[subagent ${r.id} ${r.status} · ${m.iterations} iterations · ${m.toolCalls} tool calls · ${m.tokens.input}/${m.tokens.output} tokens · ${(m.durationMs / 1000).toFixed(1)}s]`;
}

/** The supervisor asks its swarm to run a worker (the `delegate` signal): what the model chose. */
export const delegatePayload = lazy(() =>
  z
    .object({
      /** The worker's agent id, `<supervisor>.<n>`: the supervisor numbers its workers. */
      id: z.string().min(1).max(300),
      name: z.string().min(1).max(200),
      task: z.string().min(1).max(100_000),
      /** A named worker's name (the spec's `workers`). */
      worker: z.string().min(1).max(100).optional(),
    })
    .strict(),
);
export type DelegateRequest = z.infer<typeof delegatePayload>;

/** Characters of the answer a swarm sends back: more is clipped. */
export const DELEGATED_TEXT_MAX = 200_000;

/** The swarm's answer (the `delegated` signal): the `delegate` call's result. */
export const delegatedPayload = lazy(() =>
  z
    .object({
      id: z.string().min(1).max(300),
      status: z.enum(AGENT_STATUSES as [AgentStatus, ...AgentStatus[]]),
      ok: z.boolean(),
      text: z.string().max(DELEGATED_TEXT_MAX + 100),
    })
    .strict(),
);
export type DelegatedAnswer = z.infer<typeof delegatedPayload>;

/** Where a worker's work went, as its swarm's isolation knows it. */
export interface WorkerLanding {
  landed?: Landing;
  /** What its work merges into: the swarm's branch (worktrees), or the working directory (copies). */
  into: string;
  /** Where work not merged is kept: its branch, or its copy. */
  keptAt?: string;
  files?: string[];
  /** A git step that failed for it, or why a resolver did not settle its conflict. */
  why?: string;
}

/** The `delegate` result: the worker's reply and, when it worked in a tree of its own, where its work is. */
export function delegatedAnswer(
  worker: { id: string; status: AgentStatus; result?: string; error?: string; metrics?: AgentMetrics },
  landing: WorkerLanding | undefined,
): DelegatedAnswer {
  const { id, status } = worker;
  const where = landing && landingText(landing);
  const ok = status === 'completed' && (!landing || !['conflict', 'kept'].includes(landing.landed ?? ''));
  const head =
    status === 'completed'
      ? `${worker.result ?? ''}\n\n${subagentFooter(worker)}`.trim()
      : `subagent ${id} ${status === 'failed' ? 'failed' : `was ${status}`}${worker.error ? `: ${worker.error}` : ''}`;
  const text = clipResult(where ? `${head}\n\n${where}` : head, DELEGATED_TEXT_MAX);
  return { id, status, ok, text };
}

function landingText(l: WorkerLanding): string | undefined {
  const files = l.files?.length ? ` in ${l.files.join(', ')}` : '';
  const why = l.why ? ` (${l.why})` : '';
  switch (l.landed) {
    case 'merged':
      return `Its changes are merged into ${l.into}: your working directory has them.`;
    case 'resolved':
      return `Its changes conflicted with work merged before; a resolver agent settled it, and they are merged into ${l.into}: your working directory has them.`;
    case 'conflict':
      return `NOT MERGED: its changes conflict with work already merged into ${l.into}${files}${why}. They are kept on ${l.keptAt}; your working directory does not have them.`;
    case 'kept':
      return `NOT MERGED${why}: its changes are kept on ${l.keptAt}; your working directory does not have them.`;
    case 'empty':
      return 'It changed no files.';
    default:
      return undefined;
  }
}
