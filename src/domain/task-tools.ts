/**
 * The subagent tools' entries of the tools table (tools.ts): `task`, which starts a subagent
 * (and waits for it, or lets it run in the background), and the three that read, stop and
 * list an agent's subagents. All run in the agent workflow itself. Pure.
 */
import { z } from 'zod';
import { lazy } from './lazy';
import { TOOL_NAME_LIST } from './tool-names';

const IN_WORKFLOW = { in: 'workflow' } as const;

/** Longest a `task_output` call waits for its subagent to end. @default 300 */
export const TASK_OUTPUT_WAIT_SECONDS = 300;

const subagentId = lazy(() =>
  z
    .string()
    .min(1)
    .max(200)
    .describe('The subagent\'s id, as `task` gave it (task_list lists them), e.g. "a1b2.1"'),
);

export const TASK_TOOLS = {
  task: {
    run: IN_WORKFLOW,
    parallel: true,
    schema: lazy(() =>
      z
        .object({
          description: z.string().min(1).max(200).describe('A short name for the subtask, shown in lists'),
          prompt: z
            .string()
            .min(1)
            .max(100_000)
            .describe('The whole task for the subagent: it sees nothing of your conversation but this'),
          tools: z
            .array(z.enum(TOOL_NAME_LIST))
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
          background: z
            .boolean()
            .optional()
            .describe(
              "Return at once with the subagent's id and let it run while you go on (default false). " +
                'You get a message "[subagent <id> finished: <status>] ..." when it ends; task_output reads ' +
                'its result, task_cancel stops it. You do not end while one still runs: its message comes first.',
            ),
        })
        .strict()
        .describe(
          'Start a subagent on a self-contained subtask in the same working directory and wait for its result ' +
            '(or, with background: true, let it run and carry on). Several task calls in one reply run at the same time.',
        ),
    ),
  },
  task_output: {
    run: IN_WORKFLOW,
    parallel: true,
    schema: lazy(() =>
      z
        .object({
          id: subagentId,
          wait: z
            .boolean()
            .optional()
            .describe(
              'Wait until the subagent has ended, then give its result (default false: answer at once)',
            ),
          timeoutSeconds: z
            .number()
            .int()
            .min(1)
            .max(1800)
            .optional()
            .describe(
              `With wait: give up waiting after this many seconds (default ${TASK_OUTPUT_WAIT_SECONDS})`,
            ),
        })
        .strict()
        .describe("A subagent's status, and its result once it has ended."),
    ),
  },
  task_cancel: {
    run: IN_WORKFLOW,
    parallel: false,
    schema: lazy(() =>
      z
        .object({
          id: subagentId.optional().describe('The background subagent to stop'),
          all: z.literal(true).optional().describe('Stop every background subagent still running'),
          reason: z.string().min(1).max(1000).optional().describe("Why, for the subagent's record"),
        })
        .strict()
        .refine((a) => (a.id === undefined) !== (a.all === undefined), {
          message: 'give either id or all: true, not both',
        })
        .describe(
          'Stop a background subagent (id) or all of them (all: true). Each ends cancelled at its next ' +
            'step, and you get its "[subagent <id> finished: cancelled]" message.',
        ),
    ),
  },
  task_list: {
    run: IN_WORKFLOW,
    parallel: true,
    schema: lazy(() =>
      z
        .object({})
        .strict()
        .describe(
          'List the subagents you have started: id, status, name, whether in the background, when started and ended.',
        ),
    ),
  },
} as const;
