/**
 * Autonomy: what an agent may do without asking. A tool call is allowed, asked about
 * (the agent waits for a person's approval) or denied. Pure: the workflow decides here.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { regexHazard, safeRegExp, unsafeRegexMessage } from './regex-safety';

export { regexHazard, safeRegExp } from './regex-safety';
import { TOOL_NAMES, type ToolName } from './tools';
import type { BashSandbox } from './tool-calls';

/** The seed's Supervised / SemiAutonomous / FullyAutonomous. */
export const AUTONOMY_LEVELS = ['supervised', 'semi', 'full'] as const;
export type Autonomy = (typeof AUTONOMY_LEVELS)[number];
export const TOOL_DECISIONS = ['allow', 'ask', 'deny'] as const;
export type ToolDecision = (typeof TOOL_DECISIONS)[number];
export type ApprovalDecision = 'allow' | 'deny';

/** What a semi-autonomous agent runs without asking: tools that change nothing. */
export const READ_ONLY_TOOLS: readonly ToolName[] = [
  'read_file',
  'list_files',
  'grep',
  'todo',
  'task_output',
  'task_list',
];

/**
 * Commands no agent runs, whatever its autonomy: wiping the root or the home directory,
 * formatting disks, fork bombs, powering the machine off. A person's allow cannot lift them.
 */
export const DEFAULT_BASH_DENY: readonly string[] = [
  String.raw`\brm\s+(-\S+\s+)*(/|/\*|~|~/|\$HOME/?)(\s|$)`,
  String.raw`\bmkfs(\.\w+)?\s`,
  String.raw`\bdd\s+.*\bof=/dev/`,
  String.raw`:\(\)\s*\{\s*:\s*\|\s*:\s*&\s*\}\s*;\s*:`,
  String.raw`\b(shutdown|reboot|halt|poweroff)\b`,
  String.raw`>\s*/dev/(sd|nvme|hd)`,
];

/**
 * A regular expression given as a string, as a user writes it: refused at once when it does
 * not compile, or when it can backtrack catastrophically (regex-safety.ts), since the
 * workflow runs it and a match that never ends would stop the worker.
 */
export const regexSource = lazy(() =>
  z
    .string()
    .min(1)
    .max(1000)
    .superRefine((s, ctx) => {
      try {
        new RegExp(s);
      } catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        ctx.addIssue({ code: 'custom', message: `not a valid regular expression: /${s}/ (${why})` });
        return;
      }
      const hazard = regexHazard(s);
      if (hazard) ctx.addIssue({ code: 'custom', message: unsafeRegexMessage(s, hazard) });
    }),
);

/**
 * The longest bash command the policy checks: a longer one is denied, never matched in part
 * (padding must not hide a command from a deny pattern), and even a pattern that backtracks
 * polynomially (`.*=.*;`) stays fast on this much. Long content goes through write_file.
 */
export const MAX_CHECKED_COMMAND_CHARS = 16_384;

export const policyRequestSchema = lazy(() =>
  z
    .object({
      autonomy: z
        .enum(AUTONOMY_LEVELS)
        .optional()
        .describe(
          'supervised asks before every tool, semi before anything that is not read-only, full never',
        ),
      tools: z
        .partialRecord(z.enum(TOOL_NAMES as [ToolName, ...ToolName[]]), z.enum(TOOL_DECISIONS))
        .optional()
        .describe('Per-tool overrides of the autonomy level: allow, ask or deny'),
      bashDeny: z
        .array(regexSource)
        .max(100)
        .optional()
        .describe('Commands matching any of these are denied'),
      bashAllow: z
        .array(regexSource)
        .max(100)
        .optional()
        .describe('Commands matching any of these run without asking (deny patterns still win)'),
      bashNetwork: z
        .boolean()
        .optional()
        .describe('Whether bash commands may use the network (default false: the sandbox has none)'),
      bashUnsandboxed: z
        .enum(['allow', 'deny'])
        .optional()
        .describe(
          'Whether bash runs on a worker without a sandbox, with only secret variables removed ' +
            'from its environment (default allow; the worker warns at start)',
        ),
      approvalTimeoutSeconds: z
        .number()
        .int()
        .min(1)
        .max(30 * 24 * 3600)
        .optional()
        .describe('How long an approval waits before the timeout decision applies (default: forever)'),
      timeoutDecision: z
        .enum(['allow', 'deny'])
        .optional()
        .describe('What a timed-out approval decides (deny)'),
    })
    .strict(),
);
export type PolicyRequest = z.infer<typeof policyRequestSchema>;

/** The policy an agent runs with: every field resolved. */
export interface ToolPolicy {
  autonomy: Autonomy;
  tools: Partial<Record<ToolName, ToolDecision>>;
  /** The defaults and the agent's own deny patterns. */
  bashDeny: string[];
  bashAllow: string[];
  /** Whether bash may use the network (absent in agents started before the sandbox: false). */
  bashNetwork?: boolean;
  /** Whether bash runs where the worker has no sandbox (absent: allow). */
  bashUnsandboxed?: ApprovalDecision;
  approvalTimeoutSeconds?: number;
  timeoutDecision: ApprovalDecision;
}

/** Defaults: full autonomy (agents run unattended unless told otherwise), the default deny list. */
export function resolvePolicy(request: PolicyRequest = {}, base?: ToolPolicy): ToolPolicy {
  const from = base ?? {
    autonomy: 'full' as Autonomy,
    tools: {},
    bashDeny: [...DEFAULT_BASH_DENY],
    bashAllow: [],
    bashNetwork: false,
    bashUnsandboxed: 'allow' as ApprovalDecision,
    timeoutDecision: 'deny' as ApprovalDecision,
  };
  return {
    autonomy: request.autonomy ?? from.autonomy,
    tools: { ...from.tools, ...request.tools },
    bashDeny: [...new Set([...from.bashDeny, ...(request.bashDeny ?? [])])],
    bashAllow: [...new Set([...from.bashAllow, ...(request.bashAllow ?? [])])],
    bashNetwork: request.bashNetwork ?? from.bashNetwork ?? false,
    bashUnsandboxed: request.bashUnsandboxed ?? from.bashUnsandboxed ?? 'allow',
    approvalTimeoutSeconds: request.approvalTimeoutSeconds ?? from.approvalTimeoutSeconds,
    timeoutDecision: request.timeoutDecision ?? from.timeoutDecision,
  };
}

/** What the bash activity needs of the policy: how its command is contained. */
export function bashSandbox(policy: ToolPolicy): BashSandbox {
  return { network: policy.bashNetwork ?? false, unsandboxed: policy.bashUnsandboxed ?? 'allow' };
}

/**
 * A subagent's bash never contained less than its parent's: the network only when both allow
 * it, no unsandboxed bash when either denies it (for workflows/agent/subagents.ts, as with autonomy).
 */
export function stricterBashPolicy(
  parent: ToolPolicy,
  child: ToolPolicy,
): Pick<ToolPolicy, 'bashNetwork' | 'bashUnsandboxed'> {
  const [a, b] = [bashSandbox(parent), bashSandbox(child)];
  return {
    bashNetwork: a.network && b.network,
    bashUnsandboxed: a.unsandboxed === 'deny' || b.unsandboxed === 'deny' ? 'deny' : 'allow',
  };
}

/** The stricter of two levels: a subagent never gets more autonomy than the agent that started it. */
export function stricterAutonomy(a: Autonomy, b: Autonomy): Autonomy {
  return AUTONOMY_LEVELS.indexOf(a) <= AUTONOMY_LEVELS.indexOf(b) ? a : b;
}

const STRICTNESS: Record<ToolDecision, number> = { allow: 0, ask: 1, deny: 2 };

/** What a policy decides about a tool before any pattern: its override, else its autonomy level. */
export function baseDecision(policy: ToolPolicy, tool: ToolName): ToolDecision {
  const override = policy.tools[tool];
  if (override) return override;
  if (policy.autonomy === 'full') return 'allow';
  return policy.autonomy === 'semi' && READ_ONLY_TOOLS.includes(tool) ? 'allow' : 'ask';
}

/**
 * A subagent's policy clamped to its parent's, so that delegating never loosens it: the
 * stricter autonomy and bash sandbox, each tool override no looser than the parent's
 * decision for that tool, the deny patterns of both, allow patterns of the child only where
 * the parent runs bash without asking anyway (else only those the parent has too), and an
 * approval that times out into "allow" only when both say so, never sooner than the parent's.
 */
export function stricterPolicy(parent: ToolPolicy, child: ToolPolicy): ToolPolicy {
  const autonomy = stricterAutonomy(parent.autonomy, child.autonomy);
  const tools = { ...child.tools };
  for (const tool of Object.keys(tools) as ToolName[]) {
    const floor = baseDecision(parent, tool);
    if (STRICTNESS[tools[tool]!] < STRICTNESS[floor]) tools[tool] = floor;
  }
  const bashAllow =
    baseDecision(parent, 'bash') === 'allow'
      ? child.bashAllow
      : child.bashAllow.filter((p) => parent.bashAllow.includes(p));
  const timeoutDecision: ApprovalDecision =
    parent.timeoutDecision === 'deny' || child.timeoutDecision === 'deny' ? 'deny' : 'allow';
  const waits = [parent.approvalTimeoutSeconds, child.approvalTimeoutSeconds];
  const approvalTimeoutSeconds =
    timeoutDecision === 'deny'
      ? child.approvalTimeoutSeconds
      : waits.includes(undefined)
        ? undefined
        : Math.max(...(waits as number[]));
  return {
    ...child,
    autonomy,
    tools,
    bashDeny: [...new Set([...parent.bashDeny, ...child.bashDeny])],
    bashAllow,
    ...stricterBashPolicy(parent, child),
    approvalTimeoutSeconds,
    timeoutDecision,
  };
}

export interface PolicyVerdict {
  decision: ToolDecision;
  /** Why, in words a person reads in the approval list and the model reads in a denial. */
  reason: string;
}

/** What the policy says about one tool call. Deny patterns first, then overrides, then the level. */
export function decideToolCall(policy: ToolPolicy, tool: ToolName, args: unknown): PolicyVerdict {
  const command =
    tool === 'bash' && typeof (args as { command?: unknown })?.command === 'string'
      ? (args as { command: string }).command
      : undefined;
  if (command !== undefined) {
    if (command.length > MAX_CHECKED_COMMAND_CHARS) {
      return {
        decision: 'deny',
        reason:
          `the command is ${command.length} characters, more than the ${MAX_CHECKED_COMMAND_CHARS} ` +
          'checked against the deny patterns; write long content with write_file and run a short command',
      };
    }
    // An unsafe pattern (only in an agent started before patterns were checked) denies: fail closed.
    const denied = policy.bashDeny.find((p) => safeRegExp(p)?.test(command) ?? true);
    if (denied) {
      return safeRegExp(denied)
        ? { decision: 'deny', reason: `the command matches the deny pattern /${denied}/` }
        : { decision: 'deny', reason: `the deny pattern /${denied}/ is unsafe to run; fix the policy` };
    }
  }
  const override = policy.tools[tool];
  if (override === 'deny') return { decision: 'deny', reason: `${tool} is denied for this agent` };
  if (command !== undefined) {
    const allowed = policy.bashAllow.find((p) => safeRegExp(p)?.test(command) ?? false);
    if (allowed) return { decision: 'allow', reason: `the command matches the allow pattern /${allowed}/` };
  }
  if (override) return { decision: override, reason: `${tool} is set to "${override}" for this agent` };
  switch (policy.autonomy) {
    case 'full':
      return { decision: 'allow', reason: 'fully autonomous' };
    case 'semi':
      return READ_ONLY_TOOLS.includes(tool)
        ? { decision: 'allow', reason: `${tool} is read-only` }
        : { decision: 'ask', reason: `semi-autonomous agents ask before ${tool}` };
    case 'supervised':
      return { decision: 'ask', reason: 'supervised agents ask before every tool call' };
  }
}
