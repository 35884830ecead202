/**
 * What an agent's tool calls say about its progress: errors, calls repeated word for word,
 * changes made (files written or edited), todos done, and when it last moved forward. The
 * agent keeps it in its state (across continue-as-new) and sends it with its usage reports;
 * a swarm's collapse controller scores its branches from it (collapse.ts). Pure and
 * deterministic: the agent workflow runs it.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import type { TodoItem } from './tools';

/** Call digests kept to recognise a repeat: a loop repeats within far fewer calls than this. */
export const SEEN_CALLS_KEPT = 200;

/** What goes out in a usage report. */
export const progressReportSchema = lazy(() =>
  z
    .object({
      toolErrors: z.number().int().min(0).describe('Tool calls that failed'),
      repeatedCalls: z
        .number()
        .int()
        .min(0)
        .describe('Calls identical (same tool, same arguments) to one since the last change'),
      changes: z.number().int().min(0).describe('Successful calls that wrote or edited a file'),
      todosDone: z.number().int().min(0),
      todosTotal: z.number().int().min(0),
      progressAt: z
        .number()
        .int()
        .min(0)
        .optional()
        .describe('Workflow time (ms since the epoch) of the last change or todo completed'),
    })
    .strict(),
);
export type ProgressReport = z.infer<typeof progressReportSchema>;

/** What the agent keeps: the report, and the calls seen since its last change. */
export interface BranchProgress extends ProgressReport {
  /** Digests of the calls since the last change, oldest first (at most SEEN_CALLS_KEPT). */
  seen: string[];
}

export function emptyProgress(): BranchProgress {
  return { toolErrors: 0, repeatedCalls: 0, changes: 0, todosDone: 0, todosTotal: 0, seen: [] };
}

/**
 * A call's identity: its tool and its arguments as the model gave them, hashed (FNV-1a, 32
 * bits, twice with different seeds) so the state keeps 16 characters a call, not a file's text.
 */
export function callDigest(tool: string, input: unknown): string {
  const text = `${tool}\u0000${JSON.stringify(input) ?? ''}`;
  return fnv1a(text, 0x811c9dc5) + fnv1a(text, 0x01000193);
}

function fnv1a(text: string, seed: number): string {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * A call and its outcome, at workflow time `at`. A repeat counts only since the last change:
 * running the tests again after an edit, or reading a file again after writing it, is work,
 * not a loop.
 */
export function afterCall(
  p: BranchProgress,
  call: { tool: string; input: unknown },
  outcome: { ok: boolean; artifacts?: string[] },
  at: number,
): void {
  if (!outcome.ok) p.toolErrors += 1;
  if (outcome.ok && outcome.artifacts && outcome.artifacts.length > 0) {
    p.changes += 1;
    p.progressAt = at;
    p.seen = [];
    return;
  }
  const digest = callDigest(call.tool, call.input);
  if (p.seen.includes(digest)) p.repeatedCalls += 1;
  else {
    p.seen.push(digest);
    if (p.seen.length > SEEN_CALLS_KEPT) p.seen.shift();
  }
}

/** The todo list as the agent set it: a todo newly completed is progress. */
export function afterTodos(p: BranchProgress, todos: TodoItem[], at: number): void {
  const done = todos.filter((t) => t.status === 'completed').length;
  if (done > p.todosDone) p.progressAt = at;
  p.todosDone = done;
  p.todosTotal = todos.length;
}

export function progressReport(p: BranchProgress): ProgressReport {
  const { seen: _seen, ...report } = p;
  return report;
}
