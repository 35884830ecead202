/**
 * GET /agents/:id within one wait (`viewWaitMs`), however loaded the server and the agent's
 * worker are; what could not come in time is named in `partial`:
 * - who owns it and its status: the server's description, or the visibility store's row when
 *   the description is late (quick-inspections.ts);
 * - running: the worker's view if it answers in the rest of the wait, else the last view a
 *   worker gave (live-views.ts), else what the server knows;
 * - finished: the worker's view (asked once, then kept: closed-views.ts) if it answers in
 *   time, else the result the server recorded for the run. Asking a finished run makes a
 *   worker replay its history, which on a busy worker takes seconds.
 */
import type { AgentResult } from '../domain';
import { within } from '../within';
import { inspectVisibleBy } from './access';
import { isClosed } from './closed-views';
import { toApiError } from './errors';
import type { Principal } from './principal';
import type { StalenessSource } from './quick-inspections';
import type { ApiDeps } from './route';

/** How much longer than the wait a finished run's recorded result may take. */
const RECORDED_GRACE_MS = 100;

export async function agentViewWithin(deps: ApiDeps, principal: Principal, id: string): Promise<object> {
  const { waitMs } = deps.liveViews;
  const deadline = Date.now() + waitMs;
  const left = () => Math.max(0, deadline - Date.now());
  const { inspection, staleness } = await inspectVisibleBy(deps, principal, 'agent', id, deadline);
  const live = { temporalStatus: inspection.temporalStatus, ...inspection.staleness };
  const notes = (...more: string[]) => [...more, describedNote(staleness, waitMs)].filter(Boolean).join('; ');
  const answer = <V extends object>(view: V, ...more: string[]) => {
    const partial = notes(...more);
    return partial ? { ...view, ...live, partial } : { ...view, ...live };
  };
  const ask = (runId?: string) =>
    deps.client.withDeadline(Date.now() + deps.queryTimeoutMs, () => deps.orchestra.agents.status(id, runId));
  // What the server knows (status, owner, where it belongs, its name and task, staleness),
  // when no worker's view will do: enough for a list to place it (a session's, a swarm's).
  const { status, workspace, owner, sessionId, swarmId, parentId, name, task } = inspection;
  const serverView = {
    id,
    status: status ?? 'unknown',
    workspace,
    owner,
    sessionId,
    swarmId,
    parentId,
    name,
    task,
  };
  const waited = `no worker answered the status query within ${waitMs} ms`;
  try {
    if (isClosed(inspection.temporalStatus)) {
      const kept = deps.closedViews.has(inspection.runId);
      const viewing = deps.closedViews.view(inspection, ask);
      // Asked at once, so that the fallback adds no wait of its own to the GET's.
      const recording = kept ? undefined : recordedResult(deps, inspection.workflowId, inspection.runId);
      const view = await within(viewing, left());
      if (view) return answer(view);
      // A history read, quick even on a loaded server; past a little grace, the server's status alone.
      const recorded = (await within(recording ?? Promise.resolve({}), left() + RECORDED_GRACE_MS)) ?? {};
      return answer(
        { ...serverView, ...recorded },
        `${waited}: what the server recorded of the finished run (its whole view once a worker answers)`,
      );
    }
    // Asked of the run the caller was allowed to see: an id another workspace took since
    // (the visibility store can lag) must not answer with that workspace's agent.
    const got = await deps.liveViews.view(inspection.runId, () => ask(inspection.runId), left());
    if (got.fresh) return answer(got.view);
    if (!got.view) return answer(serverView, `${waited}: what the server knows`);
    const asOf = new Date(got.asOf).toISOString();
    // A description's status is the latest; the rest is the last view a worker gave. (The
    // visibility store's may be older than that view.)
    const described =
      staleness === 'fresh' ? (inspection.status as typeof got.view.status | undefined) : undefined;
    const status = described ?? got.view.status;
    return answer({ ...got.view, status, asOf }, `${waited}: its view as of ${asOf}`);
  } catch (err) {
    // The server answered the description but no worker answered the query: say what the
    // server knows rather than fail when it matters most.
    if (toApiError(err).status !== 503) throw err;
    return answer(serverView, `no worker answered the status query within ${deps.queryTimeoutMs} ms`);
  }
}

/** The result a completed run returned, from its history (no worker involved); nothing for a run that failed or was ended. */
async function recordedResult(
  deps: ApiDeps,
  workflowId: string,
  runId: string,
): Promise<Partial<Pick<AgentResult, 'status' | 'result' | 'error' | 'totals' | 'artifacts'>>> {
  try {
    const r = await deps.client.withDeadline(Date.now() + deps.queryTimeoutMs, () =>
      deps.client.workflow.getHandle(workflowId, runId).result(),
    );
    const { status, result, error, totals, artifacts } = r as AgentResult;
    return { status, result, error, totals, artifacts };
  } catch {
    return {};
  }
}

/** What a GET says when the server's description came too late: whence its staleness. */
function describedNote(source: StalenessSource, waitMs: number): string {
  if (source === 'fresh') return '';
  const late = `the server did not describe the agent within ${waitMs} ms`;
  return source === 'unknown'
    ? `${late}: staleness not known`
    : `${late}: staleness as of ${new Date(source.asOf).toISOString()}`;
}
