/**
 * A supervisor's named workers: instead of one template for every worker, a list of distinct
 * ones, each with a name the supervisor's `delegate` tool takes and a description it reads in
 * its system prompt. Pure: the supervisor workflow and the agent's delegate tool both use it.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { agentTemplateSchema } from './agent-template';

export const namedWorkerSchema = lazy(() =>
  agentTemplateSchema
    .omit({ task: true })
    .extend({
      name: z
        .string()
        .min(1)
        .max(100)
        .regex(/^\S(.*\S)?$/, 'no spaces at either end')
        .describe("What the supervisor calls it: the delegate tool's `worker`"),
      description: z
        .string()
        .min(1)
        .max(2000)
        .describe('What it is good at, as the supervisor reads it when choosing'),
    })
    .strict(),
);
export type NamedWorker = z.infer<typeof namedWorkerSchema>;

/** A supervisor's `workers`: each with a name of its own. */
export const namedWorkersSchema = lazy(() =>
  z
    .array(namedWorkerSchema)
    .min(1)
    .max(50)
    .refine((ws) => new Set(ws.map((w) => w.name)).size === ws.length, 'each worker needs a name of its own')
    .describe('Distinct workers instead of one `worker`: the supervisor delegates to each by name'),
);

/** The workers list as the supervisor's system prompt ends with it. */
export function workersPrompt(workers: ReadonlyArray<Pick<NamedWorker, 'name' | 'description'>>): string {
  return [
    'Your workers are different: name the one you hand each piece to in the delegate tool\'s "worker".',
    ...workers.map((w) => `- ${w.name}: ${w.description}`),
  ].join('\n');
}

/**
 * The worker a delegation goes to: the named one (an unknown name, or none among several, is
 * refused with the names, for the model to choose again), or the one template of a supervisor
 * without named workers.
 */
export function pickWorker<W>(
  delegation: { worker: W; workers?: Array<W & { name: string }> },
  requested: string | undefined,
): { worker: W } | { error: string } {
  const workers = delegation.workers;
  if (!workers?.length) return { worker: delegation.worker };
  const names = workers.map((w) => `"${w.name}"`).join(', ');
  if (requested === undefined) {
    if (workers.length === 1) return { worker: workers[0] };
    return { error: `refused: say which worker does it ("worker": one of ${names})` };
  }
  const worker = workers.find((w) => w.name === requested);
  if (!worker) return { error: `refused: no worker named "${requested}"; your workers are ${names}` };
  return { worker };
}
