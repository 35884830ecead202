/**
 * Messages between agents (the seed's AgentMessage), delivered as `message` signals so
 * they show in the receiver's events like any other message. Broadcasts go through the
 * swarm, which knows who its agents are; findings go to the session.
 */
import * as wf from '@temporalio/workflow';
import { agentWorkflowId, type AgentConfig } from '../../src/domain/agent';
import type { MessagePayload } from '../../src/domain/protocol-payloads';
import { sessionWorkflowId } from '../../src/domain/session';
import { swarmWorkflowId } from '../../src/domain/swarm';
import type { ToolOutcome } from '../../src/domain/tool-calls';
import type { ToolArgs } from '../../src/domain/tools';
import { broadcastSignal, findingSignal, messageSignal } from '../protocol';

export async function sendMessage(
  from: AgentConfig,
  to: string,
  payload: MessagePayload,
): Promise<ToolOutcome> {
  if (to === from.id) return { ok: false, error: 'refused: that is you' };
  try {
    await wf
      .getExternalWorkflowHandle(agentWorkflowId(to))
      .signal(messageSignal, { ...payload, from: from.id });
    return { ok: true, output: `sent to ${to}` };
  } catch {
    return { ok: false, error: `no running agent "${to}" to send to` };
  }
}

export async function broadcast(from: AgentConfig, args: ToolArgs<'broadcast'>): Promise<ToolOutcome> {
  if (!from.swarmId)
    return { ok: false, error: 'refused: broadcast reaches the agents of a swarm, and you are in none' };
  try {
    await wf
      .getExternalWorkflowHandle(swarmWorkflowId(from.swarmId))
      .signal(broadcastSignal, { from: from.id, content: args.content });
    return { ok: true, output: `broadcast to swarm ${from.swarmId}` };
  } catch {
    return { ok: false, error: `swarm ${from.swarmId} has ended` };
  }
}

export async function reportFinding(
  from: AgentConfig,
  args: ToolArgs<'report_finding'>,
): Promise<ToolOutcome> {
  if (!from.sessionId)
    return { ok: false, error: 'refused: findings are shared within a session, and you are in none' };
  try {
    await wf
      .getExternalWorkflowHandle(sessionWorkflowId(from.sessionId))
      .signal(findingSignal, { from: from.id, text: args.text });
    return { ok: true, output: `finding added to session ${from.sessionId}` };
  } catch {
    return { ok: false, error: `session ${from.sessionId} has ended` };
  }
}

/** What a person or another agent reads when a message arrives. */
export function messageText(p: MessagePayload): string {
  return p.from ? `[${p.kind ?? 'message'} from agent ${p.from}]\n${p.content}` : p.content;
}
