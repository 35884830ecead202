/**
 * sessionWorkflow: a long-lived workspace. It tracks its agents and swarms by id (they are
 * not its children, so they outlive its continue-as-new), keeps the shared findings, rolls
 * up usage, and passes pause, resume and cancel on to every member.
 */
import * as wf from '@temporalio/workflow';
import { addUsage, agentWorkflowId, emptyUsage, type Usage } from '../../src/domain/agent';
import { firstCharge } from '../../src/domain/charged-calls';
import { findingPayload, memberPayload, usagePayload } from '../../src/domain/protocol-payloads';
import { FINDINGS_CAPACITY, type SessionState, type SessionView } from '../../src/domain/session';
import { swarmWorkflowId } from '../../src/domain/swarm';
import { OrchestraStatus } from '../../src/domain/search-attributes';
import { upsertCost } from '../cost-attribute';
import {
  installChargeHandler,
  installControlHandlers,
  installSignal,
  recordUnknownSignals,
  type Ignored,
} from '../control-handlers';
import { historyWatch } from '../history-watch';
import { signalEach } from '../signal-group';
import {
  cancelSignal,
  closeSignal,
  findingSignal,
  joinSignal,
  pauseSignal,
  resumeSignal,
  sessionStatusQuery,
  usageSignal,
} from '../protocol';
import { described } from '../handler-descriptions';

/** Refused signals a session keeps (the history has them all). */
const IGNORED_KEPT = 50;

export async function sessionWorkflow(state: SessionState): Promise<SessionView> {
  // Checked in every handler that changes the session (and refused signals, which history
  // keeps too), never in a validator: see history-watch.ts.
  const history = historyWatch(state.continueAsNewAfterEvents);
  // As an agent does: a refused signal is kept where anyone looking at the session sees it.
  const log: Ignored = (signal, reason) => {
    history.check();
    const ignored = (state.ignored ??= []);
    ignored.push({ signal, reason, at: new Date().toISOString() });
    if (ignored.length > IGNORED_KEPT) ignored.splice(0, ignored.length - IGNORED_KEPT);
  };
  const setStatus = (status: SessionState['status']) => {
    history.check();
    state.status = status;
    wf.upsertSearchAttributes([{ key: OrchestraStatus, value: status }]);
  };
  const tell = (signal: typeof pauseSignal, payload: object) => {
    const ids = state.members.map((m) =>
      m.kind === 'agent' ? agentWorkflowId(m.id) : swarmWorkflowId(m.id),
    );
    void signalEach(ids, signal, payload);
  };

  installSignal(
    joinSignal,
    memberPayload,
    (member) => {
      history.check();
      if (!state.members.some((m) => m.id === member.id && m.kind === member.kind))
        state.members.push(member);
      if (state.status === 'paused') tell(pauseSignal, { reason: `session ${state.id} is paused` });
    },
    log,
  );
  installSignal(
    findingSignal,
    findingPayload,
    (finding) => {
      history.check();
      state.findings.push({ ...finding, at: new Date().toISOString() });
      if (state.findings.length > FINDINGS_CAPACITY)
        state.findings.splice(0, state.findings.length - FINDINGS_CAPACITY);
    },
    log,
  );
  installSignal(
    usageSignal,
    usagePayload,
    ({ agentId, ...usage }) => {
      history.check();
      if ((state.usage[agentId]?.version ?? -1) > usage.version) return; // an older report, overtaken
      state.usage[agentId] = usage;
    },
    log,
  );
  let cancelReason: string | undefined;
  // Cancelled by the CLI or the API, which cancel the workflow through Temporal next: end as Canceled.
  let temporalCancelFollows = false;
  installControlHandlers({
    what: 'session',
    status: () => (cancelReason === undefined ? state.status : 'cancelled'),
    apply: {
      pause: (p) => {
        setStatus('paused');
        tell(pauseSignal, { reason: `session ${state.id} paused${p.reason ? `: ${p.reason}` : ''}` });
      },
      resume: () => {
        setStatus('running');
        tell(resumeSignal, {});
      },
      cancel: (p) => {
        cancelReason = p.reason ?? `session ${state.id} cancelled`;
        temporalCancelFollows = p.temporalCancelFollows === true;
      },
    },
    ignored: log,
  });
  let closed = false;
  wf.setHandler(
    closeSignal,
    () => {
      closed = true;
    },
    described('close'),
  );
  wf.setHandler(sessionStatusQuery, () => view(state), described('status'));
  installChargeHandler((c) => {
    history.check();
    if (firstCharge((state.chargedCalls ??= []), c.callId)) {
      state.costUsd = (state.costUsd ?? 0) + c.costUsd;
      upsertCost(state.costUsd);
    }
    return { totalUsd: state.costUsd ?? 0, limitUsd: state.budgetUsd };
  });
  recordUnknownSignals(log);

  await wf.condition(() => cancelReason !== undefined || closed || history.due);
  if (cancelReason !== undefined) {
    tell(cancelSignal, { reason: cancelReason });
    setStatus('cancelled');
  } else if (closed) setStatus('completed');
  else {
    await wf.condition(wf.allHandlersFinished);
    await wf.continueAsNew<typeof sessionWorkflow>(state);
  }
  // Let the signals to members leave before the session closes (and, cancelled by the CLI or
  // the API, wait for their cancel through Temporal: it ends the run as Canceled).
  await wf.sleep(temporalCancelFollows ? '10 seconds' : '1 second');
  return view(state);
}

function view(state: SessionState): SessionView {
  const { usage, chargedCalls: _, continueAsNewAfterEvents: __, ...rest } = state;
  const totals = Object.values(usage).reduce<Usage>(
    (acc, u) =>
      addUsage(acc, {
        tokens: u.tokens,
        toolCalls: u.toolCalls,
        iterations: u.iterations,
        agents: 1,
        costUsd: u.costUsd ?? 0,
      }),
    emptyUsage(),
  );
  return { ...rest, members: [...state.members], findings: [...state.findings], totals };
}
