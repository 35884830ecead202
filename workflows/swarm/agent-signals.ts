/** Signals from a swarm to its agents: best effort, since an agent not started yet, or ended, has nothing to hear. */
import * as wf from '@temporalio/workflow';
import { agentWorkflowId, describeIssue } from '../../src/domain';
import { messageSignal, type pauseSignal } from '../agent/definitions';
import { broadcastPayload } from './definitions';

export function signalAgent(id: string, signal: typeof pauseSignal, payload: object): void {
  wf.getExternalWorkflowHandle(agentWorkflowId(id))
    .signal(signal, payload)
    .catch(() => undefined);
}

/** A `broadcast` from one agent of the swarm: a message to every other. */
export function broadcast(agents: Iterable<string>, raw: unknown): void {
  const parsed = broadcastPayload.safeParse(raw);
  if (!parsed.success) return wf.log.warn('ignored a bad broadcast', { issue: describeIssue(parsed.error) });
  const { from, content } = parsed.data;
  for (const id of agents)
    if (id !== from) signalAgent(id, messageSignal, { content, from, kind: 'broadcast' });
}
