/**
 * Autonomy: what an agent may do without asking. A tool call is allowed, asked about
 * (the agent waits for a person's approval) or denied. Pure: the workflow decides here.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { TOOL_NAMES, type BashSandbox, type ToolName } from './tools';

/** The seed's Supervised / SemiAutonomous / FullyAutonomous. */
export const AUTONOMY_LEVELS = ['supervised', 'semi', 'full'] as const;
export type Autonomy = (typeof AUTONOMY_LEVELS)[number];
export const TOOL_DECISIONS = ['allow', 'ask', 'deny'] as const;
export type ToolDecision = (typeof TOOL_DECISIONS)[number];
export type ApprovalDecision = 'allow' | 'deny';

/** What a semi-autonomous agent runs without asking: tools that change nothing. */
export const READ_ONLY_TOOLS: readonly ToolName[] = ['read_file', 'list_files', 'grep', 'todo'];

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

/** A regular expression given as a string; refused at once when it does not compile. */
export const regexSource = lazy(() =>
  z
    .string()
    .min(1)
    .max(1000)
    .refine((s) => {
      try {
        new RegExp(s);
        return true;
      } catch {
        return false;
      }
    }, 'not a valid regular expression'),
);

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
    const denied = policy.bashDeny.find((p) => new RegExp(p).test(command));
    if (denied) return { decision: 'deny', reason: `the command matches the deny pattern /${denied}/` };
  }
  const override = policy.tools[tool];
  if (override === 'deny') return { decision: 'deny', reason: `${tool} is denied for this agent` };
  if (command !== undefined) {
    const allowed = policy.bashAllow.find((p) => new RegExp(p).test(command));
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
