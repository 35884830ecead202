/**
 * What stands between a model's tool call and its running: the tool.before hooks, the
 * agent's policy (allow, ask or deny) and, when it asks, a person's approval. After the
 * call, the tool.after hooks shape what the model sees.
 */
import type { AgentConfig } from '../../src/domain/agent';
import { denialText } from '../../src/domain/approvals';
import type { HookAgent, HookManager } from '../../src/domain/hooks';
import type { ToolUseBlock } from '../../src/domain/messages';
import { decideToolCall, type ToolPolicy } from '../../src/domain/policy';
import { parseToolArgs, type ToolOutcome } from '../../src/domain/tool-calls';
import type { ToolArgs, ToolName } from '../../src/domain/tools';
import type { Approvals } from './approvals';

export interface GateHost {
  config: AgentConfig;
  hooks: HookManager;
  policy: ToolPolicy;
  approvals: Approvals;
  noteHook(hook: string, event: string, note: string): void;
  noteDenied(callId: string, tool: string, reason: string): void;
}

export function hookAgent(config: AgentConfig): HookAgent {
  return { id: config.id, name: config.name, ...(config.context ? { sessionContext: config.context } : {}) };
}

type Args = Record<string, unknown>;

/** The arguments to run the call with, or the outcome the model gets instead. */
export async function gate<N extends ToolName>(
  call: ToolUseBlock,
  name: N,
  parsedArgs: ToolArgs<N>,
  host: GateHost,
): Promise<{ ok: true; args: ToolArgs<N> } | { ok: false; outcome: ToolOutcome }> {
  const before = host.hooks.toolBefore({ agent: hookAgent(host.config), tool: name, args: parsedArgs });
  if (before.blocked) {
    const { by, message } = before.blocked;
    host.noteHook(by, 'tool.before', `blocked ${name}: ${message}`);
    return { ok: false, outcome: { ok: false, error: `blocked by the ${by} hook: ${message}` } };
  }
  let args = parsedArgs;
  if (before.modifiedBy.length) {
    // A hook's change must still be a valid call.
    const reparsed = parseToolArgs(name, before.args);
    if (!reparsed.ok) {
      return {
        ok: false,
        outcome: { ok: false, error: `hook ${before.modifiedBy.join(', ')}: ${reparsed.error}` },
      };
    }
    args = reparsed.args;
    for (const hook of before.modifiedBy)
      host.noteHook(hook, 'tool.before', `modified the arguments of ${name}`);
  }
  const verdict = decideToolCall(host.policy, name, args);
  if (verdict.decision === 'deny') {
    host.noteDenied(call.id, name, verdict.reason);
    return { ok: false, outcome: { ok: false, error: denialText(name, verdict) } };
  }
  if (verdict.decision === 'ask') {
    const answer = await host.approvals.request({
      callId: call.id,
      kind: 'tool',
      tool: name,
      input: args,
      reason: verdict.reason,
    });
    if (answer.decision === 'deny')
      return { ok: false, outcome: { ok: false, error: denialText(name, answer) } };
  }
  return { ok: true, args };
}

/** The outcome as the model will see it, after the tool.after hooks. */
export function afterTool(name: string, args: Args, outcome: ToolOutcome, host: GateHost): ToolOutcome {
  const text = outcome.ok ? outcome.output : outcome.error;
  const after = host.hooks.toolAfter({
    agent: hookAgent(host.config),
    tool: name,
    args,
    ok: outcome.ok,
    output: text,
  });
  for (const hook of after.modifiedBy) host.noteHook(hook, 'tool.after', `modified the output of ${name}`);
  if (!after.modifiedBy.length) return outcome;
  return outcome.ok ? { ...outcome, output: after.output } : { ok: false, error: after.output };
}
