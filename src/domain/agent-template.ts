/** One agent of a swarm as a spec describes it: apart from swarm.ts, so that every strategy's spec (graph.ts too) may use it without a cycle. Pure. */
import { z } from 'zod';
import { lazy } from './lazy';
import { agentLimitsSchema } from './agent-limits';
import { budgetRequestSchema } from './cost';
import { policyRequestSchema } from './policy';
import { profileNameSchema } from './profile-name';
import { TOOL_NAMES, type ToolName } from './tools';
import { locationSchema } from './agent';

/** One agent of a swarm: anything left out comes from the swarm's defaults. */
export const agentTemplateSchema = lazy(() =>
  z
    .object({
      name: z.string().min(1).max(100).optional().describe('Shown in lists; also names a pipeline stage'),
      task: z
        .string()
        .min(1)
        .max(100_000)
        .optional()
        .describe("This agent's own task (default: the swarm's)"),
      systemPrompt: z.string().max(200_000).optional(),
      model: z.string().min(1).max(200).optional(),
      temperature: z.number().min(0).max(1).optional(),
      tools: z.array(z.enum(TOOL_NAMES as [ToolName, ...ToolName[]])).optional(),
      limits: agentLimitsSchema.partial().optional(),
      agent: profileNameSchema.optional().describe('A registry entry this agent starts from'),
      policy: policyRequestSchema
        .optional()
        .describe("Autonomy, tool overrides, bash patterns (over the swarm's)"),
      budget: budgetRequestSchema.optional(),
      location: locationSchema().describe(
        "The task queue whose workers run this agent (default: the swarm's)",
      ),
      toolsLocation: locationSchema().describe("The task queue whose workers run this agent's tools"),
    })
    .strict(),
);
export type AgentTemplate = z.infer<typeof agentTemplateSchema>;
