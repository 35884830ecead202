/** What an agent answers about itself: status, events, transcript, approvals, model context. */
import * as wf from '@temporalio/workflow';
import { eventsAfter, eventsQueryArgs, type AgentState, type AgentStatusView } from '../../src/domain';
import { approvalsQuery, eventsQuery, modelContextQuery, statusQuery, transcriptQuery } from './definitions';

export interface QueryHost {
  readonly state: AgentState;
  view(): AgentStatusView;
  /** The system prompt as the model gets it. */
  system(): string;
}

export function installAgentQueries(host: QueryHost): void {
  const { state } = host;
  wf.setHandler(approvalsQuery, () => state.approvals.map((a) => ({ ...a })));
  wf.setHandler(statusQuery, () => host.view());
  wf.setHandler(eventsQuery, (raw) => {
    const args = eventsQueryArgs.parse(raw);
    return eventsAfter(state.log, args.after, args.limit);
  });
  wf.setHandler(transcriptQuery, () => state.conversation);
  wf.setHandler(modelContextQuery, () => ({ system: host.system(), messages: state.conversation }));
}
