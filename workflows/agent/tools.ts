/**
 * Runs the tool calls of one model reply. Read-only calls next to each other run side
 * by side; a call with side effects runs alone, in the order the model gave.
 */
import { ActivityFailure, isCancellation } from '@temporalio/workflow';
import {
  bashSandbox,
  isToolName,
  parseToolArgs,
  PARALLEL_TOOLS,
  type AgentConfig,
  type TodoItem,
  type ToolArgs,
  type ToolName,
  type ToolOutcome,
  type ToolResultBlock,
  type ToolUseBlock,
} from '../../src/domain';
import { activities, IDEMPOTENT_TOOL, LOCAL_READ, localActivities, ONCE_ONLY_TOOL } from './activity-options';
import { broadcast, reportFinding, sendMessage } from './messaging';
import { afterTool, gate, type GateHost } from './gate';

export interface ToolHost extends GateHost {
  config: AgentConfig;
  /** Secret patterns for tool activities to redact with, when the redactor is on. */
  redact?: { patterns: string[] };
  setTodos(todos: TodoItem[]): void;
  runSubagent(args: ToolArgs<'task'>): Promise<ToolOutcome>;
  delegate(args: ToolArgs<'delegate'>): Promise<ToolOutcome>;
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
  return isToolName(call.name) && PARALLEL_TOOLS.includes(call.name);
}

async function runOne(call: ToolUseBlock, host: ToolHost): Promise<ToolOutcome> {
  const { config } = host;
  if (!isToolName(call.name) || !config.tools.includes(call.name)) {
    return { ok: false, error: `unknown tool "${call.name}"; available: ${config.tools.join(', ')}` };
  }
  const parsed = parseToolArgs(call.name, call.input);
  if (!parsed.ok) return parsed;
  const gated = await gate(call, call.name, parsed.args as Record<string, unknown>, host);
  if (!gated.ok) return gated.outcome;
  const outcome = await execute({ ...call, name: call.name }, gated.args, host);
  return afterTool(call.name, gated.args, outcome, host);
}

async function execute(
  call: ToolUseBlock & { name: ToolName },
  args: Record<string, unknown>,
  host: ToolHost,
): Promise<ToolOutcome> {
  const { config } = host;
  const parsed = { args: args as never };
  if (call.name === 'todo') {
    const todos = (parsed.args as { todos: TodoItem[] }).todos;
    host.setTodos(todos);
    return { ok: true, output: renderTodos(todos) };
  }
  if (call.name === 'task') return host.runSubagent(parsed.args as ToolArgs<'task'>);
  if (call.name === 'delegate') return host.delegate(parsed.args as ToolArgs<'delegate'>);
  if (call.name === 'handoff') return host.handoff(parsed.args as ToolArgs<'handoff'>);
  if (call.name === 'broadcast') return broadcast(config, parsed.args as ToolArgs<'broadcast'>);
  if (call.name === 'report_finding') return reportFinding(config, parsed.args as ToolArgs<'report_finding'>);
  if (call.name === 'send_message') {
    const { to, content, kind } = parsed.args as ToolArgs<'send_message'>;
    return sendMessage(config, to, { content, kind: kind ?? 'query' });
  }
  const input = {
    agentId: config.id,
    cwd: config.cwd,
    args: parsed.args,
    redact: host.redact,
    // How bash contains the command: its network, and whether it may run without a sandbox.
    ...(call.name === 'bash' ? { sandbox: bashSandbox(host.policy) } : {}),
  } as never;
  try {
    return await activityFor(call.name, summarize(parsed.args as Record<string, unknown>))(input);
  } catch (err) {
    if (isCancellation(err)) throw err;
    const cause = err instanceof ActivityFailure && err.cause ? err.cause.message : String(err);
    return {
      ok: false,
      error: `${call.name} did not complete (${cause}); it may or may not have taken effect`,
    };
  }
}

function activityFor(
  name: Exclude<
    ToolName,
    'todo' | 'task' | 'delegate' | 'send_message' | 'broadcast' | 'handoff' | 'report_finding'
  >,
  summary: string,
): (input: never) => Promise<ToolOutcome> {
  switch (name) {
    case 'bash':
      return activities(ONCE_ONLY_TOOL, summary).bash;
    case 'edit_file':
      return activities(ONCE_ONLY_TOOL, summary).editFile;
    case 'write_file':
      return activities(IDEMPOTENT_TOOL, summary).writeFile;
    case 'read_file':
      return localActivities(LOCAL_READ, summary).readFile;
    case 'list_files':
      return localActivities(LOCAL_READ, summary).listFiles;
    case 'grep':
      return localActivities(LOCAL_READ, summary).grep;
  }
}

/** What the Web UI's timeline shows for a call: the command, or the path (and pattern). */
function summarize(args: Record<string, unknown>): string {
  if (typeof args.command === 'string') return `$ ${args.command}`;
  const where = typeof args.path === 'string' ? args.path : '.';
  return typeof args.pattern === 'string' ? `/${args.pattern}/ in ${where}` : where;
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
