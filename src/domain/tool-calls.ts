/** A tool call's arguments checked, its input to the activity, and what it gives back. */
import { z } from 'zod';
import { lazy, unlazy } from './lazy';
import { TOOLS, type ActivityToolName, type ToolActivityName, type ToolArgs, type ToolName } from './tools';

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
  const schema = unlazy(TOOLS[name].schema);
  const { $schema: _ignored, ...inputSchema } = z.toJSONSchema(schema) as Record<string, unknown>;
  return { name, description: schema.description ?? name, input_schema: inputSchema };
}

/** Validate a model's tool arguments; the error text is written for the model to fix its call. */
export function parseToolArgs<N extends ToolName>(
  name: N,
  input: unknown,
): { ok: true; args: ToolArgs<N> } | { ok: false; error: string } {
  const parsed = TOOLS[name].schema.safeParse(input);
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

/**
 * The worker's tool activities, by activity name, each taking its own tool's input: the
 * implementations are checked against it (activities/tools/index.ts), so a tool added to
 * the table without one does not compile.
 */
export type ToolActivities = {
  [N in ActivityToolName as ToolActivityName<N>]: (input: ToolInput<N>) => Promise<ToolOutcome>;
};

/** Validate inside the activity too: a tool activity can be scheduled by anyone on the queue. */
export function checkedArgs<N extends ToolName>(name: N, input: unknown): ToolArgs<N> {
  const parsed = parseToolArgs(name, input);
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.args;
}
