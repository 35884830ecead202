/**
 * What a person writes to configure an agent's hooks: the built-ins' settings and their own
 * rules (hooks.ts runs them). The events hooks run at are named here, the vocabulary of both.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { regexSource } from './policy';
import { TOOL_NAMES, type ToolName } from './tools';

export const SESSION_EVENTS = [
  'session.created',
  'session.idle',
  'session.error',
  'session.recovered',
] as const;
export type SessionEvent = (typeof SESSION_EVENTS)[number];
export type HookEvent = SessionEvent | 'tool.before' | 'tool.after' | 'context.inject';

/** Field schemas built where used (lazy.ts): at module load they would be built at every workflow's start. */
const ruleBase = () => ({
  name: z.string().min(1).max(100).describe('Shown in events when the hook acts'),
  priority: z.number().int().min(-1000).max(1000).optional().describe('Lower runs first (default 100)'),
});
const toolFilter = () => ({
  tool: z
    .enum(TOOL_NAMES as [ToolName, ...ToolName[]])
    .optional()
    .describe('Only this tool (default: every tool)'),
  match: regexSource
    .optional()
    .describe("Only when this matches the bash command, else the call's arguments as JSON"),
});

export const hookRuleSchema = lazy(() =>
  z.discriminatedUnion('on', [
    z
      .object({
        on: z.literal('tool.before'),
        ...ruleBase(),
        ...toolFilter(),
        block: z.string().min(1).max(2000).optional().describe('Refuse the call with this message'),
        set: z.record(z.string(), z.unknown()).optional().describe('Arguments to set (merged over the call)'),
      })
      .strict()
      .refine((r) => (r.block === undefined) !== (r.set === undefined), 'give exactly one of block or set'),
    z
      .object({
        on: z.literal('tool.after'),
        ...ruleBase(),
        ...toolFilter(),
        replace: z
          .object({ pattern: regexSource, with: z.string().max(2000) })
          .strict()
          .optional()
          .describe('Rewrite the output: every match of pattern becomes `with`'),
        maxChars: z.number().int().min(100).optional().describe('Cut the output to this many characters'),
      })
      .strict()
      .refine((r) => r.replace !== undefined || r.maxChars !== undefined, 'give replace or maxChars'),
    z
      .object({ on: z.literal('context.inject'), ...ruleBase(), text: z.string().min(1).max(50_000) })
      .strict(),
    ...SESSION_EVENTS.map((on) =>
      z
        .object({
          on: z.literal(on),
          ...ruleBase(),
          message: z.string().min(1).max(20_000).optional().describe('Sent to the agent as a message'),
          note: z.string().min(1).max(2000).optional().describe('Recorded as a hook event'),
        })
        .strict(),
    ),
  ]),
);
export type HookRule = z.infer<typeof hookRuleSchema>;

/** The built-in hooks' settings; each can be turned off. */
export const hookSettingsSchema = lazy(() =>
  z
    .object({
      contextFiles: z.boolean().describe("Add the working directory's AGENTS.md and README.md to the prompt"),
      maxContextFileChars: z.number().int().min(0).max(200_000),
      truncateOutputChars: z.number().int().min(100).max(1_000_000).describe('Cut longer tool outputs'),
      redactSecrets: z.boolean().describe('Keep API keys and tokens out of the model, history and logs'),
      secretPatterns: z.array(regexSource).max(50).describe('More secret shapes to redact'),
      todoCheck: z.boolean().describe('Send an agent that ends its turn with open todos back once'),
      rules: z.array(hookRuleSchema).max(100).describe('Your own hooks'),
    })
    .strict(),
);
export type HookSettings = z.infer<typeof hookSettingsSchema>;

export const DEFAULT_HOOK_SETTINGS: HookSettings = {
  contextFiles: true,
  maxContextFileChars: 20_000,
  truncateOutputChars: 30_000,
  redactSecrets: true,
  secretPatterns: [],
  todoCheck: true,
  rules: [],
};
