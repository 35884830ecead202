/** Signals from a swarm to its agents: best effort, since an agent not started yet, or ended, has nothing to hear. */
import { agentWorkflowId } from '../../src/domain/agent';
import { signalEach } from '../signal-group';
import { messageSignal, type pauseSignal } from '../protocol';

export function signalAgents(ids: Iterable<string>, signal: typeof pauseSignal, payload: object): void {
  void signalEach([...ids].map(agentWorkflowId), signal, payload);
}

/** A `broadcast` from one agent of the swarm: a message to every other. */
export function broadcast(
  agents: Iterable<string>,
  { from, content }: { from: string; content: string },
): void {
  const others = [...agents].filter((id) => id !== from);
  signalAgents(others, messageSignal, { content, from, kind: 'broadcast' });
}
