/** What an agent answers about itself: status, events, transcript, approvals, model context. */
import * as wf from '@temporalio/workflow';
import type { AgentStatusView } from '../../src/domain/agent';
import type { AgentState } from '../../src/domain/agent-state';
import { eventsQueried } from '../../src/domain/events';
import { approvalsQuery, eventsQuery, modelContextQuery, statusQuery, transcriptQuery } from '../protocol';
import { described } from '../handler-descriptions';

export interface QueryHost {
  readonly state: AgentState;
  view(): AgentStatusView;
  /** The system prompt as the model gets it. */
  system(): string;
}

export function installAgentQueries(host: QueryHost): void {
  const { state } = host;
  wf.setHandler(approvalsQuery, () => state.approvals.map((a) => ({ ...a })), described('approvals'));
  wf.setHandler(statusQuery, () => host.view(), described('status'));
  wf.setHandler(eventsQuery, (raw) => eventsQueried(state.log, raw), described('events'));
  wf.setHandler(transcriptQuery, () => state.conversation, described('transcript'));
  wf.setHandler(
    modelContextQuery,
    () => ({ system: host.system(), messages: state.conversation }),
    described('modelContext'),
  );
}
