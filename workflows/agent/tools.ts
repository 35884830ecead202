/**
 * Runs the tool calls of one model reply. Read-only calls next to each other run side
 * by side; a call with side effects runs alone, in the order the model gave.
 */
import { ActivityFailure, isCancellation } from '@temporalio/workflow';
import type { AgentConfig } from '../../src/domain/agent';
import type { ToolResultBlock, ToolUseBlock } from '../../src/domain/messages';
import { bashSandbox } from '../../src/domain/policy';
import { parseToolArgs, type ToolInput, type ToolOutcome } from '../../src/domain/tool-calls';
import {
  isActivityTool,
  isToolName,
  TOOLS,
  type ActivityToolName,
  type TodoItem,
  type ToolActivityName,
  type ToolArgs,
  type ToolName,
  type WorkflowToolName,
} from '../../src/domain/tools';
import { activities, localActivities } from './activity-options';
import { broadcast, reportFinding, sendMessage } from './messaging';
import { afterTool, gate, type GateHost } from './gate';
import type { Subagents } from './subagents';

export interface ToolHost extends GateHost {
  config: AgentConfig;
  /** Secret patterns for tool activities to redact with, when the redactor is on. */
  redact?: { patterns: string[] };
  setTodos(todos: TodoItem[]): void;
  /** `task`, `delegate`, and the background subagents' tools. */
  subagents: Pick<Subagents, 'task' | 'delegate' | 'children'>;
  handoff(args: ToolArgs<'handoff'>): Promise<ToolOutcome>;
  recordCall(call: ToolUseBlock): void;
  recordResult(call: ToolUseBlock, outcome: ToolOutcome): void;
}

export async function runToolCalls(calls: ToolUseBlock[], host: ToolHost): Promise<ToolResultBlock[]> {
  const results: ToolResultBlock[] = [];
  for (const batch of batches(calls)) {
    batch.forEach((call) => host.recordCall(call));
    const outcomes = await Promise.all(batch.map((call) => runOne(call, host)));
    outcomes.forEach((outcome, i) => {
      host.recordResult(batch[i], outcome);
      results.push(toResultBlock(batch[i].id, outcome));
    });
  }
  return results;
}

function batches(calls: ToolUseBlock[]): ToolUseBlock[][] {
  const out: ToolUseBlock[][] = [];
  for (const call of calls) {
    const last = out[out.length - 1];
    if (last && isReadOnly(call) && last.every(isReadOnly)) last.push(call);
    else out.push([call]);
  }
  return out;
}

function isReadOnly(call: ToolUseBlock): boolean {
  return isToolName(call.name) && TOOLS[call.name].parallel;
}

async function runOne(call: ToolUseBlock, host: ToolHost): Promise<ToolOutcome> {
  const { config } = host;
  const name = call.name;
  if (!isToolName(name) || !config.tools.includes(name)) {
    return { ok: false, error: `unknown tool "${name}"; available: ${config.tools.join(', ')}` };
  }
  return isActivityTool(name)
    ? gated(call, name, host, (args) => runActivity(name, args, host))
    : gated(call, name, host, (args) => inWorkflow(name, args, host));
}

/** Parse the call's arguments, pass them through the gate, run the call, then the tool.after hooks. */
async function gated<N extends ToolName>(
  call: ToolUseBlock,
  name: N,
  host: ToolHost,
  run: (args: ToolArgs<N>) => Promise<ToolOutcome>,
): Promise<ToolOutcome> {
  const parsed = parseToolArgs(name, call.input);
  if (!parsed.ok) return parsed;
  const passed = await gate(call, name, parsed.args, host);
  if (!passed.ok) return passed.outcome;
  return afterTool(name, passed.args, await run(passed.args), host);
}

/** The tools the workflow runs itself, by name; one missing from here does not compile. */
const WORKFLOW_TOOLS: {
  [N in WorkflowToolName]: (args: ToolArgs<N>, host: ToolHost) => Promise<ToolOutcome>;
} = {
  todo: async ({ todos }, host) => {
    host.setTodos(todos);
    return { ok: true, output: renderTodos(todos) };
  },
  task: (args, host) => host.subagents.task(args),
  task_output: (args, host) => host.subagents.children.output(args),
  task_cancel: (args, host) => host.subagents.children.cancel(args),
  task_list: async (_args, host) => host.subagents.children.list(),
  delegate: (args, host) => host.subagents.delegate(args),
  handoff: (args, host) => host.handoff(args),
  broadcast: (args, host) => broadcast(host.config, args),
  report_finding: (args, host) => reportFinding(host.config, args),
  send_message: ({ to, content, kind }, host) =>
    sendMessage(host.config, to, { content, kind: kind ?? 'query' }),
};

function inWorkflow<N extends WorkflowToolName>(
  name: N,
  args: ToolArgs<N>,
  host: ToolHost,
): Promise<ToolOutcome> {
  const run: (typeof WORKFLOW_TOOLS)[N] = WORKFLOW_TOOLS[name];
  return run(args, host);
}

/** How the workflow sees the tool activities: any tool's input, which the activity checks again. */
type ToolActivityProxy = Record<
  ToolActivityName,
  (input: ToolInput<ActivityToolName>) => Promise<ToolOutcome>
>;

/** A tool activity, under the retry profile and local-or-queued choice of the tools table. */
async function runActivity(
  name: ActivityToolName,
  args: ToolArgs<ActivityToolName>,
  host: ToolHost,
): Promise<ToolOutcome> {
  const { config } = host;
  const input: ToolInput<ActivityToolName> = {
    agentId: config.id,
    cwd: config.cwd,
    args,
    redact: host.redact,
    // How bash contains the command: its network, and whether it may run without a sandbox.
    ...(name === 'bash' ? { sandbox: bashSandbox(host.policy) } : {}),
  };
  const run = TOOLS[name].run;
  const summary = summarize(args);
  // Tools placed elsewhere run queued there (a local activity runs on this worker only).
  const proxy = config.toolsLocation
    ? activities<ToolActivityProxy>({ ...run.profile, taskQueue: config.toolsLocation }, summary)
    : run.in === 'local activity'
      ? localActivities<ToolActivityProxy>(run.profile, summary)
      : activities<ToolActivityProxy>(run.profile, summary);
  try {
    return await proxy[run.activity](input);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
    return { ok: false, error: `${name} did not complete (${cause}); it may or may not have taken effect` };
  }
}

/** What the Web UI's timeline shows for a call: the command, or the path (and pattern). */
function summarize(args: ToolArgs<ActivityToolName>): string {
  if ('command' in args) return `$ ${args.command}`;
  const where = args.path ?? '.';
  return 'pattern' in args ? `/${args.pattern}/ in ${where}` : where;
}

const TODO_MARK = { pending: '[ ]', in_progress: '[~]', completed: '[x]' } as const;

export function renderTodos(todos: TodoItem[]): string {
  return todos.length ? todos.map((t) => `${TODO_MARK[t.status]} ${t.content}`).join('\n') : '(no todos)';
}

function toResultBlock(id: string, outcome: ToolOutcome): ToolResultBlock {
  return outcome.ok
    ? { type: 'tool_result', tool_use_id: id, content: outcome.output }
    : { type: 'tool_result', tool_use_id: id, content: outcome.error, is_error: true };
}
