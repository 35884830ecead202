/**
 * Signalling a group of workflows (a swarm's agents, a session's members, an agent's
 * subagents or owners), best effort: one that has ended, or not started yet, has nothing
 * to hear, and nothing is lost. The signals go out at once, in the group's order.
 */
import * as wf from '@temporalio/workflow';

/** Signal every workflow in `workflowIds`; settles when all are delivered or refused. */
export async function signalEach<Args extends unknown[]>(
  workflowIds: Iterable<string>,
  signal: wf.SignalDefinition<Args>,
  ...args: Args
): Promise<void> {
  await Promise.all(
    [...workflowIds].map((id) =>
      wf
        .getExternalWorkflowHandle(id)
        .signal(signal, ...args)
        .catch(() => undefined),
    ),
  );
}
