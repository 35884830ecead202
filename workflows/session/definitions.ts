/** A session's messages: the control signals agents answer too, plus membership and findings. */
import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { SessionView } from '../../src/domain';

/** A client registers each agent or swarm it starts in the session. */
export const joinSignal = defineSignal<[unknown]>('join');
/** An agent's report_finding. */
export const findingSignal = defineSignal<[unknown]>('finding');
/** Close the session: it ends, its members carry on alone. */
export const closeSignal = defineSignal<[unknown?]>('close');
export const sessionStatusQuery = defineQuery<SessionView>('status');
