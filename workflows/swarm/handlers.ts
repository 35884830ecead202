/** A swarm's signals, queries and Updates: control as an agent's, usage reports, broadcasts, a supervisor's delegations, status and events. */
import * as wf from '@temporalio/workflow';
import { delegatePayload } from '../../src/domain/delegation';
import { broadcastPayload, usagePayload } from '../../src/domain/protocol-payloads';
import {
  installControlHandlers,
  installSignal,
  recordUnknownSignals,
  type Ignored,
} from '../control-handlers';
import { described } from '../handler-descriptions';
import {
  broadcastSignal,
  delegateSignal,
  swarmEventsQuery,
  swarmStatusQuery,
  usageSignal,
} from '../protocol';
import type { SwarmRun } from './run';
import { answerRefusal } from './delegated';
import { installIntake } from './grow';

export function installSwarmHandlers(swarm: SwarmRun): void {
  // As an agent does: a refused signal is an event anyone watching the swarm sees.
  const ignored: Ignored = (signal, reason) => swarm.record({ type: 'ignored', signal, reason });
  installControlHandlers({
    what: 'swarm',
    status: () => swarm.currentStatus,
    apply: {
      pause: (p) => swarm.pause(p.reason),
      resume: () => swarm.resume(),
      cancel: (p) => swarm.cancel(p.reason ?? 'cancelled', p.temporalCancelFollows === true),
    },
    ignored,
  });
  installSignal(usageSignal, usagePayload, (report) => swarm.account(report), ignored);
  installSignal(broadcastSignal, broadcastPayload, (b) => swarm.broadcast(b), ignored);
  installSignal(
    delegateSignal,
    delegatePayload,
    (request) => {
      const { delegated } = swarm;
      const refused = delegated
        ? delegated.take(request)
        : `this ${swarm.strategy} swarm runs no supervisor's workers (only an isolated supervisor swarm does)`;
      if (!refused) return;
      ignored('delegate', refused);
      // Not for a worker that runs under that id: its own answer is the one awaited.
      if (!delegated?.has(request.id)) answerRefusal(request, refused);
    },
    ignored,
  );
  wf.setHandler(swarmStatusQuery, () => swarm.report(), described('status'));
  wf.setHandler(swarmEventsQuery, (raw) => swarm.events(raw), described('events'));
  installIntake(swarm, ignored);
  recordUnknownSignals(ignored);
}
