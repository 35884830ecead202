/** `orchestra approvals list` and `orchestra approve <callId>`: a person's word on what agents ask. */
import { userInfo } from 'node:os';
import { Command } from 'commander';
import { formatUsd, type PendingApproval } from '../../domain';
import type { Run } from '../context';

/** Who answers from this terminal: the login name (recorded with the answer). */
function loginName(env: NodeJS.ProcessEnv): string | undefined {
  try {
    return userInfo().username || env.USER || undefined;
  } catch {
    return env.USER || undefined;
  }
}

function describe(a: PendingApproval): string {
  const input =
    a.kind === 'budget'
      ? (() => {
          const b = a.input as { level: string; spentUsd: number; limitUsd: number };
          return `${b.level} budget: ${formatUsd(b.spentUsd)} of ${formatUsd(b.limitUsd)}`;
        })()
      : JSON.stringify(a.input);
  const chain = [...a.lineage, a.agentId].join(' › ');
  const where = [a.swarmId && `swarm ${a.swarmId}`, a.sessionId && `session ${a.sessionId}`].filter(Boolean);
  const expires = a.expiresAt ? `\n    times out ${a.expiresAt} → ${a.timeoutDecision}` : '';
  return (
    `${a.callId}  ${a.tool}  ${input.length > 160 ? `${input.slice(0, 159)}…` : input}\n` +
    `    ${a.reason}\n    asked by ${chain}${where.length ? ` (${where.join(', ')})` : ''} at ${a.requestedAt}${expires}`
  );
}

export function approvalsCommand(run: Run): Command {
  const approvals = new Command('approvals').description('tool calls and budget stops waiting for your word');
  approvals
    .command('list')
    .description('pending approvals: every agent, or those beneath a swarm or session at any depth')
    .option('--swarm <id>', "only this swarm's agents and their subagents")
    .option('--session <id>', "only this session's agents and their subagents")
    .option('--agent <id>', "only this agent's")
    .option('--json', 'machine-readable output')
    .action((o) =>
      run(async (ctx) => {
        const items = await (
          await ctx.orchestra()
        ).approvals.list({
          agentId: o.agent,
          swarmId: o.swarm,
          sessionId: o.session,
        });
        if (o.json) ctx.out(JSON.stringify(items, null, 2));
        else if (items.length === 0) ctx.out('no pending approvals');
        else ctx.out(items.map(describe).join('\n'));
      }),
    );
  return approvals;
}

export function approveCommand(run: Run): Command {
  return new Command('approve')
    .description('answer a pending approval: allow it (default) or deny it')
    .argument('<callId>', 'the approval to answer (see `orchestra approvals list`)')
    .option('--deny', 'deny it: the model is told, with your note')
    .option('--note <text>', 'a note for the agent (sent to the model with a denial)')
    .option('--agent <id>', 'the agent that asked (when the call id is not unique)')
    .option('--json', 'machine-readable output')
    .action((callId: string, o) =>
      run(async (ctx) => {
        const orchestra = await ctx.orchestra();
        const approval = await orchestra.approvals.find(callId, { agentId: o.agent });
        const decision = o.deny ? 'deny' : 'allow';
        const sent = await orchestra.approvals.answer(approval, {
          decision,
          user: loginName(ctx.io.env),
          ...(o.note ? { note: o.note } : {}),
        });
        const done = `${decision === 'allow' ? 'allowed' : 'denied'} ${approval.tool} (${callId}) for agent ${approval.agentId}`;
        ctx.out(
          o.json
            ? JSON.stringify({ callId, agentId: approval.agentId, decision, queued: sent.queued === true })
            : sent.queued
              ? `${done}: queued, no worker answered in time; it applies when one runs the agent`
              : done,
        );
      }),
    );
}
