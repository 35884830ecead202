/**
 * zonesWorkflow (id `zones-<workspace>`): a workspace's zones and which agent is in which.
 * Started by its first change (update-with-start), it runs for as long as the workspace does,
 * continuing as new with its state when its history grows. It holds no timers and starts
 * nothing: each activation is one change or one read.
 */
import * as wf from '@temporalio/workflow';
import type { ZodType } from 'zod';
import { historyWatch } from '../history-watch';
import { describeIssue } from '../../src/domain/zod-error';
import {
  assignAgents,
  assignAgentsPayload,
  createZonePayload,
  deleteZone,
  deleteZonePayload,
  renameZonePayload,
  zoneRefusal,
  zonesView,
  type Zone,
  type ZonesInput,
  type ZonesState,
} from '../../src/domain/zones';
import { described } from '../handler-descriptions';
import {
  assignAgentsUpdate,
  createZoneUpdate,
  deleteZoneUpdate,
  renameZoneUpdate,
  zonesQuery,
} from '../protocol';

type Check = Parameters<typeof zoneRefusal>[1];

/** A validator: a malformed payload or a refused change fails the Update, and is never recorded. */
function validator<T>(state: ZonesState, schema: ZodType<T>, check: (payload: T) => Check) {
  return (raw: unknown): void => {
    const parsed = schema.safeParse(raw);
    if (!parsed.success)
      throw wf.ApplicationFailure.create({
        type: 'BadRequest',
        message: `invalid request: ${describeIssue(parsed.error)}`,
        nonRetryable: true,
      });
    const refusal = zoneRefusal(state, check(parsed.data));
    if (refusal) throw wf.ApplicationFailure.create({ ...refusal, nonRetryable: true });
  };
}

export async function zonesWorkflow(input: ZonesInput): Promise<void> {
  const state: ZonesState = {
    workspace: input.workspace,
    zones: input.zones ?? [],
    assignments: input.assignments ?? {},
  };
  const { continueAsNewAfterEvents } = input;
  const history = historyWatch(continueAsNewAfterEvents);
  const view = (id: string): Zone => zonesView(state).find((z) => z.id === id)!;
  const now = () => new Date().toISOString();

  wf.setHandler(
    createZoneUpdate,
    (raw) => {
      const { id, name, directory, owner } = createZonePayload.parse(raw);
      const at = now();
      state.zones.push({
        id,
        name,
        ...(directory ? { directory } : {}),
        ...(owner ? { owner } : {}),
        createdAt: at,
        updatedAt: at,
      });
      history.check();
      return view(id);
    },
    {
      validator: validator(state, createZonePayload, (payload) => ({ kind: 'create', payload })),
      ...described('createZone'),
    },
  );
  wf.setHandler(
    renameZoneUpdate,
    (raw) => {
      const { id, name } = renameZonePayload.parse(raw);
      const zone = state.zones.find((z) => z.id === id)!;
      zone.name = name;
      zone.updatedAt = now();
      history.check();
      return view(id);
    },
    {
      validator: validator(state, renameZonePayload, (p) => ({ kind: 'rename', id: p.id, name: p.name })),
      ...described('renameZone'),
    },
  );
  wf.setHandler(
    deleteZoneUpdate,
    (raw) => {
      const { id } = deleteZonePayload.parse(raw);
      const before = view(id);
      deleteZone(state, id);
      history.check();
      return before;
    },
    {
      validator: validator(state, deleteZonePayload, (p) => ({ kind: 'delete', id: p.id })),
      ...described('deleteZone'),
    },
  );
  wf.setHandler(
    assignAgentsUpdate,
    (raw) => {
      const payload = assignAgentsPayload.parse(raw);
      const touched = new Set(payload.agentIds.map((id) => state.assignments[id]));
      if (payload.zoneId !== null) touched.add(payload.zoneId);
      assignAgents(state, payload);
      const at = now();
      for (const zone of state.zones) if (touched.has(zone.id)) zone.updatedAt = at;
      history.check();
      return zonesView(state).filter((z) => touched.has(z.id));
    },
    {
      validator: validator(state, assignAgentsPayload, (payload) => ({ kind: 'assign', payload })),
      ...described('assignAgents'),
    },
  );
  wf.setHandler(
    zonesQuery,
    () => ({ workspace: state.workspace, zones: zonesView(state) }),
    described('status'),
  );

  // Changes are rare and small: the history grows slowly, and the state is carried whole.
  await wf.condition(() => history.due);
  await wf.condition(wf.allHandlersFinished);
  await wf.continueAsNew<typeof zonesWorkflow>({ ...state, continueAsNewAfterEvents });
}
