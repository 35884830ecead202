/** Signals from a swarm to its agents: best effort, since an agent not started yet, or ended, has nothing to hear. */
import * as wf from '@temporalio/workflow';
import { agentWorkflowId, broadcastPayload, describeIssue } from '../../src/domain';
import { signalEach } from '../signal-group';
import { messageSignal, type pauseSignal } from '../protocol';

export function signalAgents(ids: Iterable<string>, signal: typeof pauseSignal, payload: object): void {
  void signalEach([...ids].map(agentWorkflowId), signal, payload);
}

/** A `broadcast` from one agent of the swarm: a message to every other. */
export function broadcast(agents: Iterable<string>, raw: unknown): void {
  const parsed = broadcastPayload.safeParse(raw);
  if (!parsed.success) return wf.log.warn('ignored a bad broadcast', { issue: describeIssue(parsed.error) });
  const { from, content } = parsed.data;
  const others = [...agents].filter((id) => id !== from);
  signalAgents(others, messageSignal, { content, from, kind: 'broadcast' });
}
