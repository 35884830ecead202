/**
 * The agent registry (the seed's AgentRegistry): named agent configs that a spawn, a swarm
 * spec or a delegation refers to by name. Built-in specialists, plus a user's own from
 * the config file. Pure.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { AGENT_TYPES } from './agent-type';
import { agentLimitsSchema } from './agent-limits';
import { budgetRequestSchema, priceTableSchema } from './cost';
import { hookSettingsSchema } from './hook-settings';
import { policyRequestSchema } from './policy';
import { routingSchema, TIERS } from './routing';
import { TOOL_NAMES, type ToolName } from './tools';
import { withTaskCompanions } from './tool-names';
import { profileNameSchema } from './profile-name';
import { OrchestraError } from './errors';

export { profileNameSchema };

export const AGENT_MODES = ['plan', 'build', 'chat'] as const;

export const agentProfileSchema = lazy(() =>
  z
    .object({
      description: z.string().min(1).max(500).describe('What it is for, shown by `orchestra registry list`'),
      mode: z
        .enum(AGENT_MODES)
        .optional()
        .describe('plan (read and plan), build (change things), chat (talk)'),
      systemPrompt: z.string().min(1).max(200_000),
      model: z.string().min(1).max(200).optional().describe('A model id; wins over tier'),
      tier: z
        .enum(TIERS)
        .optional()
        .describe("A model class the routing maps to a model (default 'balanced')"),
      temperature: z.number().min(0).max(1).optional(),
      tools: z.array(z.enum(TOOL_NAMES as [ToolName, ...ToolName[]])).optional(),
      type: z.enum(AGENT_TYPES).optional(),
      policy: policyRequestSchema.optional(),
      budget: budgetRequestSchema.optional(),
      hooks: hookSettingsSchema.partial().optional(),
      limits: agentLimitsSchema.partial().optional(),
    })
    .strict(),
);
export type AgentProfile = z.infer<typeof agentProfileSchema>;

const READ: ToolName[] = ['read_file', 'list_files', 'grep', 'todo'];
const BUILD: ToolName[] = withTaskCompanions<ToolName>([
  'bash',
  'read_file',
  'write_file',
  'edit_file',
  'list_files',
  'grep',
  'todo',
  'task',
]);

export const BUILTIN_AGENTS: Record<string, AgentProfile> = {
  planner: {
    description: 'Plan mode: reads the code and writes a step-by-step plan; changes nothing',
    mode: 'plan',
    systemPrompt:
      'You are a planner. Read the code you need, then answer with a numbered plan: the files to change, ' +
      'the changes, the order, and how to check each step. Do not change anything; keep the plan in the todo tool.',
    temperature: 0.2,
    tools: READ,
    policy: { autonomy: 'semi' },
  },
  builder: {
    description: 'Build mode: makes the change, runs the tests, and reports what it did',
    mode: 'build',
    systemPrompt:
      'You are a builder. Make the change asked for in small steps, run the tests after each, and keep your ' +
      'plan in the todo tool. End with a short summary of what changed and how you checked it.',
    temperature: 0.2,
    tools: BUILD,
    policy: { autonomy: 'full' },
  },
  assistant: {
    description: 'Chat mode: answers questions about the code and waits for the next one',
    mode: 'chat',
    type: 'interactive',
    systemPrompt:
      'You are a helpful assistant for this codebase. Answer briefly and concretely; read files when that ' +
      'makes the answer right. Ask before changing anything.',
    temperature: 0.5,
    tools: READ,
    policy: { autonomy: 'semi' },
  },
  reviewer: {
    description: 'Reviews a change for bugs, risks and missing tests; may run the tests (asks first)',
    mode: 'plan',
    systemPrompt:
      'You are a code reviewer. Read the change and its surroundings, then list concrete problems by severity: ' +
      'bugs, risks, missing tests, unclear code. Quote file and line. Praise nothing; change nothing.',
    temperature: 0,
    tools: [...READ, 'bash'],
    policy: { autonomy: 'semi' },
  },
  explorer: {
    description: 'Fast read-only search: finds where things are and answers with paths and lines',
    mode: 'plan',
    systemPrompt:
      'You are an explorer. Find what is asked for with list_files, grep and read_file, fast. Answer with ' +
      'paths, line numbers and one line on each; no essays.',
    tier: 'fast',
    temperature: 0,
    tools: ['read_file', 'list_files', 'grep'],
    policy: { autonomy: 'full' },
    limits: { maxIterations: 20 },
  },
  'doc-writer': {
    description: 'Writes and updates documentation from the code as it is',
    mode: 'build',
    systemPrompt:
      'You are a documentation writer. Read the code, then write or update the docs asked for: plain words, ' +
      'short sentences, working examples taken from the code. Document what is, not what was planned.',
    temperature: 0.4,
    tools: ['read_file', 'write_file', 'edit_file', 'list_files', 'grep', 'todo'],
    policy: { autonomy: 'semi' },
  },
  oracle: {
    description: 'Architecture and hard debugging: reasons deeply, reads widely, advises',
    mode: 'plan',
    systemPrompt:
      'You are the oracle: a senior engineer consulted on architecture and on bugs others could not find. ' +
      'Read widely, form hypotheses, check them against the code, and advise with reasons and trade-offs.',
    tier: 'strong',
    temperature: 0.3,
    tools: READ,
    policy: { autonomy: 'semi' },
  },
};

export const backendSchema = lazy(() =>
  z
    .object({
      baseURL: z.url().describe('An Anthropic-compatible endpoint'),
      apiKeyEnv: z
        .string()
        .regex(/^[A-Z_][A-Z0-9_]*$/)
        .optional()
        .describe('The environment variable holding its key (default ANTHROPIC_API_KEY)'),
    })
    .strict(),
);
export type Backend = z.infer<typeof backendSchema>;

/** The config file (ORCHESTRA_CONFIG, default ./orchestra.config.json). */
export const orchestraFileSchema = lazy(() =>
  z
    .object({
      agents: z
        .record(profileNameSchema, agentProfileSchema)
        .optional()
        .describe('Your own registry entries'),
      disabled: z.array(profileNameSchema).optional().describe('Registry entries that may not be used'),
      routing: routingSchema.optional(),
      backends: z.record(z.string().regex(/^[a-z][a-z0-9-]{0,49}$/), backendSchema).optional(),
      prices: priceTableSchema.optional().describe('Prices per model, over the built-in table'),
      defaults: z
        .object({
          policy: policyRequestSchema.optional(),
          budget: budgetRequestSchema.optional(),
          hooks: hookSettingsSchema.partial().optional(),
        })
        .strict()
        .optional()
        .describe('Applied to every agent this client starts'),
    })
    .strict(),
);
export type OrchestraFile = z.infer<typeof orchestraFileSchema>;

export interface RegistryEntry {
  name: string;
  source: 'builtin' | 'user';
  enabled: boolean;
  profile: AgentProfile;
}

export class UnknownAgentProfileError extends OrchestraError {
  constructor(message?: string) {
    super('bad_request', message);
  }
}

export class AgentRegistry {
  constructor(private readonly file: OrchestraFile = {}) {}

  list(): RegistryEntry[] {
    const disabled = new Set(this.file.disabled ?? []);
    const entries = new Map<string, RegistryEntry>();
    for (const [name, profile] of Object.entries(BUILTIN_AGENTS))
      entries.set(name, { name, source: 'builtin', enabled: true, profile });
    for (const [name, profile] of Object.entries(this.file.agents ?? {}))
      entries.set(name, { name, source: 'user', enabled: true, profile });
    return [...entries.values()].map((e) => ({ ...e, enabled: !disabled.has(e.name) }));
  }

  /** The entry, or an error that says what there is. */
  get(name: string): RegistryEntry {
    const all = this.list();
    const entry = all.find((e) => e.name === name);
    if (!entry) {
      throw new UnknownAgentProfileError(
        `no agent "${name}" in the registry; known: ${all.map((e) => e.name).join(', ')}`,
      );
    }
    if (!entry.enabled) throw new UnknownAgentProfileError(`agent "${name}" is disabled in the config file`);
    return entry;
  }
}
