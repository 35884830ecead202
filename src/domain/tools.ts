/**
 * The tools an agent can call. Each is a strict zod object whose JSON schema is what
 * the model sees; the same schema validates the model's arguments before anything runs.
 */
import { z } from 'zod';
import { lazy, unlazy } from './lazy';

const relativePath = lazy(() =>
  z
    .string()
    .min(1)
    .max(4096)
    .describe('Path relative to the agent working directory; absolute paths and ".." are refused'),
);

/** Every tool's name, first, so the `task` tool's schema can name the others. */
const NAMES = [
  'bash',
  'read_file',
  'write_file',
  'edit_file',
  'list_files',
  'grep',
  'todo',
  'task',
  'delegate',
  'send_message',
  'broadcast',
  'handoff',
  'report_finding',
] as const;

export const toolSchemas = {
  bash: lazy(() =>
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
  read_file: lazy(() =>
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
  write_file: lazy(() =>
    z
      .object({
        path: relativePath,
        content: z.string().max(1_000_000).describe('The whole new content of the file'),
      })
      .strict()
      .describe('Create or overwrite a file; parent directories are created.'),
  ),
  edit_file: lazy(() =>
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
  list_files: lazy(() =>
    z
      .object({
        path: relativePath.optional().describe('Directory to list (default ".")'),
        recursive: z.boolean().optional().describe('List the whole tree (default false)'),
      })
      .strict()
      .describe('List files and directories. Directories end with "/".'),
  ),
  grep: lazy(() =>
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
  todo: lazy(() =>
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
  task: lazy(() =>
    z
      .object({
        description: z.string().min(1).max(200).describe('A short name for the subtask, shown in lists'),
        prompt: z
          .string()
          .min(1)
          .max(100_000)
          .describe('The whole task for the subagent: it sees nothing of your conversation but this'),
        tools: z
          .array(z.enum(NAMES))
          .optional()
          .describe('Tools the subagent may use, among yours (default: all of yours)'),
        maxIterations: z
          .number()
          .int()
          .min(1)
          .max(1000)
          .optional()
          .describe('Most model calls for the subagent'),
        agent: z
          .string()
          .regex(/^[a-z][a-z0-9-]{0,49}$/)
          .optional()
          .describe('A registry entry to start the subagent as (explorer, reviewer, oracle, ...)'),
      })
      .strict()
      .describe(
        'Start a subagent on a self-contained subtask in the same working directory and wait for its result. ' +
          'Several task calls in one reply run at the same time.',
      ),
  ),
  delegate: lazy(() =>
    z
      .object({
        task: z.string().min(1).max(100_000).describe('The whole task for the worker: it sees nothing else'),
        name: z.string().min(1).max(100).optional().describe('A short name for the piece of work'),
      })
      .strict()
      .describe(
        'Hand a piece of the work to a worker agent and wait for its result. Delegate several pieces in one ' +
          'reply to have workers run at the same time.',
      ),
  ),
  send_message: lazy(() =>
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
  broadcast: lazy(() =>
    z
      .object({ content: z.string().min(1).max(100_000).describe('The message') })
      .strict()
      .describe('Send a message to every other agent of your swarm.'),
  ),
  handoff: lazy(() =>
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
  report_finding: lazy(() =>
    z
      .object({
        text: z.string().min(1).max(20_000).describe('What you found, for the agents that come after you'),
      })
      .strict()
      .describe("Add a finding to your session's shared findings; agents started later read them."),
  ),
} as const satisfies Record<(typeof NAMES)[number], z.ZodType>;

export type ToolName = keyof typeof toolSchemas;
export const TOOL_NAMES: ToolName[] = [...NAMES];
/** What an agent gets when its config names no tools: all but `delegate`, which is the supervisor's. */
export const DEFAULT_TOOLS: ToolName[] = TOOL_NAMES.filter((t) => t !== 'delegate');
export type ToolArgs<N extends ToolName> = z.infer<(typeof toolSchemas)[N]>;
export type TodoItem = ToolArgs<'todo'>['todos'][number];

/**
 * Calls that may run side by side with their neighbours: the read-only tools, and
 * subagents (asked for together, they are meant to work at the same time).
 */
export const PARALLEL_TOOLS: readonly ToolName[] = [
  'read_file',
  'list_files',
  'grep',
  'todo',
  'task',
  'delegate',
];

export function isToolName(name: string): name is ToolName {
  return Object.prototype.hasOwnProperty.call(toolSchemas, name);
}

/** What a tool gives back. Expected failures are data the model sees, not exceptions. */
export type ToolOutcome = { ok: true; output: string; artifacts?: string[] } | { ok: false; error: string };

type ToolDefinition = { name: string; description: string; input_schema: object };
const definitions = new Map<ToolName, ToolDefinition>();

/** The Anthropic tool definition for a tool (a JSON schema: made once, it is sent with every call). */
export function toolDefinition(name: ToolName): ToolDefinition {
  let definition = definitions.get(name);
  if (!definition) definitions.set(name, (definition = makeDefinition(name)));
  return definition;
}

function makeDefinition(name: ToolName): ToolDefinition {
  const schema = unlazy(toolSchemas[name]);
  const { $schema: _ignored, ...inputSchema } = z.toJSONSchema(schema) as Record<string, unknown>;
  return { name, description: schema.description ?? name, input_schema: inputSchema };
}

/** Validate a model's tool arguments; the error text is written for the model to fix its call. */
export function parseToolArgs<N extends ToolName>(
  name: N,
  input: unknown,
): { ok: true; args: ToolArgs<N> } | { ok: false; error: string } {
  const parsed = toolSchemas[name].safeParse(input);
  if (parsed.success) return { ok: true, args: parsed.data as ToolArgs<N> };
  return { ok: false, error: `invalid arguments for ${name}: ${z.prettifyError(parsed.error)}` };
}

/** How bash contains a command, from the agent's policy (src/domain/policy.ts). */
export const bashSandboxSchema = lazy(() =>
  z
    .object({
      network: z.boolean().describe('Whether the command may use the network'),
      unsandboxed: z
        .enum(['allow', 'deny'])
        .describe('Whether the command runs on a worker that has no sandbox'),
    })
    .strict(),
);
export type BashSandbox = z.infer<typeof bashSandboxSchema>;

/** The input of every tool activity. */
export interface ToolInput<N extends ToolName> {
  agentId: string;
  cwd: string;
  args: ToolArgs<N>;
  /** Secret patterns the output is redacted with, when the agent's redactor is on. */
  redact?: { patterns: string[] };
  /**
   * bash only: the policy's containment. Absent (a call scheduled before it existed): the
   * policy's defaults, no network and unsandboxed allowed.
   */
  sandbox?: BashSandbox;
}

/** Validate inside the activity too: a tool activity can be scheduled by anyone on the queue. */
export function checkedArgs<N extends ToolName>(name: N, input: unknown): ToolArgs<N> {
  const parsed = parseToolArgs(name, input);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.args;
}
