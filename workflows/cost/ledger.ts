/**
 * costLedgerWorkflow (id `cost-<workspace>-<day>`): what a workspace spent in one UTC day,
 * every agent counted. Started by the first charge of the day; ends an hour after the day.
 */
import * as wf from '@temporalio/workflow';
import { firstCharge } from '../../src/domain/charged-calls';
import type { LedgerInput, LedgerView } from '../../src/domain/protocol-payloads';
import { upsertCost } from '../cost-attribute';
import { installChargeHandler } from '../control-handlers';
import { ledgerQuery } from '../protocol';
import { described } from '../handler-descriptions';
import { historyWatch } from '../history-watch';

/** Late charges (a call that started before midnight) still land in their day. */
const GRACE_MS = 60 * 60 * 1000;

export async function costLedgerWorkflow(input: LedgerInput): Promise<LedgerView> {
  const state: LedgerView = {
    workspace: input.workspace,
    day: input.day,
    totalUsd: input.totalUsd ?? 0,
    byAgent: input.byAgent ?? {},
  };
  const chargedCalls = input.chargedCalls ?? [];
  const history = historyWatch();
  installChargeHandler((c) => {
    history.check();
    if (firstCharge(chargedCalls, c.callId)) {
      state.totalUsd += c.costUsd;
      state.byAgent[c.agentId] = (state.byAgent[c.agentId] ?? 0) + c.costUsd;
      upsertCost(state.totalUsd);
    }
    return { totalUsd: state.totalUsd };
  });
  wf.setHandler(ledgerQuery, () => ({ ...state, byAgent: { ...state.byAgent } }), described('status'));
  const end = Date.parse(`${input.day}T00:00:00.000Z`) + 24 * 3600 * 1000 + GRACE_MS;
  await wf.condition(() => history.due, Math.max(0, end - Date.now()));
  await wf.condition(wf.allHandlersFinished);
  if (Date.now() < end) await wf.continueAsNew<typeof costLedgerWorkflow>({ ...state, chargedCalls });
  return state;
}
