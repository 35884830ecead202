/**
 * The tools an agent can call, one entry each: the strict zod schema the model sees (and
 * its arguments are validated with), where the call runs (in the agent workflow itself, or
 * as an activity with its retry profile, locally when it is fast and read-only), and
 * whether it may run side by side with its neighbours. Pure: the workflow reads it to
 * schedule calls, and the worker's implementations are typed from it (activities/tools).
 * The names are in tool-names.ts; the subagent tools' entries in task-tools.ts.
 */
import type { ActivityOptions, LocalActivityOptions } from '@temporalio/common';
import { z } from 'zod';
import { lazy } from './lazy';
import { IDEMPOTENT_TOOL, LOCAL_READ, ONCE_ONLY_TOOL } from './tool-profiles';
import { TOOL_NAME_LIST } from './tool-names';
import { TASK_TOOLS } from './task-tools';

const relativePath = lazy(() =>
  z
    .string()
    .min(1)
    .max(4096)
    .describe('Path relative to the agent working directory; absolute paths and ".." are refused'),
);

/**
 * Where a call runs. `activity` is the activity type's name, which running histories
 * record: renaming one, or changing its profile, breaks their replay.
 */
export type ToolRun =
  | { in: 'workflow' }
  | { in: 'activity'; activity: string; profile: ActivityOptions }
  | { in: 'local activity'; activity: string; profile: LocalActivityOptions };

/** Handled by the agent workflow itself (todos, subagents, messages): no activity. */
const IN_WORKFLOW = { in: 'workflow' } as const;
const activity = <A extends string>(name: A, profile: ActivityOptions) =>
  ({ in: 'activity', activity: name, profile }) as const;
/** Fast, read-only and idempotent: run by the worker inside the workflow task. */
const localActivity = <A extends string>(name: A, profile: LocalActivityOptions) =>
  ({ in: 'local activity', activity: name, profile }) as const;

export interface ToolSpec {
  run: ToolRun;
  /** May run side by side with its neighbours: read-only, or subagents asked for together. */
  parallel: boolean;
  schema: z.ZodType;
}

export const TOOLS = {
  bash: {
    run: activity('bash', ONCE_ONLY_TOOL),
    parallel: false,
    schema: lazy(() =>
      z
        .object({
          command: z.string().min(1).max(20_000).describe('The shell command to run with bash -c'),
          timeoutSeconds: z
            .number()
            .int()
            .min(1)
            .max(600)
            .optional()
            .describe('Kill the command after this many seconds (default 120)'),
        })
        .strict()
        .describe(
          'Run a shell command in the working directory. Sandboxed where the worker can: only the ' +
            'working directory is writable, no network unless allowed, nothing outlives the call. ' +
            'Output is capped; secrets are not in its env.',
        ),
    ),
  },
  read_file: {
    run: localActivity('readFile', LOCAL_READ),
    parallel: true,
    schema: lazy(() =>
      z
        .object({
          path: relativePath,
          offset: z.number().int().min(1).optional().describe('First line to read, 1-based (default 1)'),
          limit: z
            .number()
            .int()
            .min(1)
            .max(20_000)
            .optional()
            .describe('How many lines to read (default 2000)'),
        })
        .strict()
        .describe('Read a text file, with line numbers.'),
    ),
  },
  write_file: {
    run: activity('writeFile', IDEMPOTENT_TOOL),
    parallel: false,
    schema: lazy(() =>
      z
        .object({
          path: relativePath,
          content: z.string().max(1_000_000).describe('The whole new content of the file'),
        })
        .strict()
        .describe('Create or overwrite a file; parent directories are created.'),
    ),
  },
  edit_file: {
    run: activity('editFile', ONCE_ONLY_TOOL),
    parallel: false,
    schema: lazy(() =>
      z
        .object({
          path: relativePath,
          old_string: z
            .string()
            .min(1)
            .describe('Exact text to replace; must occur exactly once unless replace_all'),
          new_string: z.string().describe('Replacement text'),
          replace_all: z.boolean().optional().describe('Replace every occurrence (default false)'),
        })
        .strict()
        .describe('Replace an exact string in a file. Refuses when the string is missing or ambiguous.'),
    ),
  },
  list_files: {
    run: localActivity('listFiles', LOCAL_READ),
    parallel: true,
    schema: lazy(() =>
      z
        .object({
          path: relativePath.optional().describe('Directory to list (default ".")'),
          recursive: z.boolean().optional().describe('List the whole tree (default false)'),
        })
        .strict()
        .describe('List files and directories. Directories end with "/".'),
    ),
  },
  grep: {
    run: localActivity('grep', LOCAL_READ),
    parallel: true,
    schema: lazy(() =>
      z
        .object({
          pattern: z.string().min(1).max(1000).describe('JavaScript regular expression to search for'),
          path: relativePath.optional().describe('File or directory to search (default ".")'),
          ignoreCase: z.boolean().optional().describe('Case-insensitive match (default false)'),
          maxResults: z
            .number()
            .int()
            .min(1)
            .max(1000)
            .optional()
            .describe('Cap on matching lines (default 200)'),
        })
        .strict()
        .describe('Search file contents by regular expression; prints path:line:text.'),
    ),
  },
  todo: {
    run: IN_WORKFLOW,
    parallel: true,
    schema: lazy(() =>
      z
        .object({
          todos: z
            .array(
              z
                .object({
                  content: z.string().min(1).max(500).describe('What to do'),
                  status: z.enum(['pending', 'in_progress', 'completed']).describe('Where this item stands'),
                })
                .strict(),
            )
            .max(100)
            .describe('The whole plan; replaces the previous list'),
        })
        .strict()
        .describe('Keep your plan as a todo list. Send the whole list each time.'),
    ),
  },
  ...TASK_TOOLS,
  delegate: {
    run: IN_WORKFLOW,
    parallel: true,
    schema: lazy(() =>
      z
        .object({
          task: z
            .string()
            .min(1)
            .max(100_000)
            .describe('The whole task for the worker: it sees nothing else'),
          name: z.string().min(1).max(100).optional().describe('A short name for the piece of work'),
          worker: z
            .string()
            .min(1)
            .max(100)
            .optional()
            .describe('Which of your named workers does it, when your instructions list them'),
        })
        .strict()
        .describe(
          'Hand a piece of the work to a worker agent and wait for its result. Delegate several pieces in one ' +
            'reply to have workers run at the same time.',
        ),
    ),
  },
  send_message: {
    run: IN_WORKFLOW,
    parallel: false,
    schema: lazy(() =>
      z
        .object({
          to: z.string().min(1).max(200).describe('The id of the agent to write to'),
          content: z.string().min(1).max(100_000).describe('The message'),
          kind: z
            .enum(['task', 'result', 'query', 'response'])
            .optional()
            .describe('What it is (default query)'),
        })
        .strict()
        .describe('Send another agent a message; it reads it at its next step. Does not wait for an answer.'),
    ),
  },
  broadcast: {
    run: IN_WORKFLOW,
    parallel: false,
    schema: lazy(() =>
      z
        .object({ content: z.string().min(1).max(100_000).describe('The message') })
        .strict()
        .describe('Send a message to every other agent of your swarm.'),
    ),
  },
  handoff: {
    run: IN_WORKFLOW,
    parallel: false,
    schema: lazy(() =>
      z
        .object({
          to: z.string().min(1).max(200).describe('The id of the agent to hand over to'),
          note: z
            .string()
            .min(1)
            .max(100_000)
            .describe('What it needs to carry on: where things stand, what is left'),
        })
        .strict()
        .describe('Hand your task over to another agent and end your turn; it gets your task and your note.'),
    ),
  },
  report_finding: {
    run: IN_WORKFLOW,
    parallel: false,
    schema: lazy(() =>
      z
        .object({
          text: z.string().min(1).max(20_000).describe('What you found, for the agents that come after you'),
        })
        .strict()
        .describe("Add a finding to your session's shared findings; agents started later read them."),
    ),
  },
} as const satisfies Record<(typeof TOOL_NAME_LIST)[number], ToolSpec>;

type Table = typeof TOOLS;
export type ToolName = keyof Table;
export const TOOL_NAMES: ToolName[] = [...TOOL_NAME_LIST];
/** What an agent gets when its config names no tools: all but `delegate`, which is the supervisor's. */
export const DEFAULT_TOOLS: ToolName[] = TOOL_NAMES.filter((t) => t !== 'delegate');
type ArgsByName = { [N in ToolName]: z.infer<Table[N]['schema']> };
export type ToolArgs<N extends ToolName> = ArgsByName[N];
export type TodoItem = ToolArgs<'todo'>['todos'][number];

/** The tools that run as activities, and the names of those activities. */
export type ActivityToolName = {
  [N in ToolName]: Table[N]['run'] extends { activity: string } ? N : never;
}[ToolName];
export type ToolActivityName<N extends ActivityToolName = ActivityToolName> = Table[N]['run'] extends {
  activity: infer A extends string;
}
  ? A
  : never;
/** The tools the agent workflow runs itself. */
export type WorkflowToolName = Exclude<ToolName, ActivityToolName>;

export function isToolName(name: string): name is ToolName {
  return Object.prototype.hasOwnProperty.call(TOOLS, name);
}

export function isActivityTool(name: ToolName): name is ActivityToolName {
  return TOOLS[name].run.in !== 'workflow';
}
