/**
 * A workspace's zones store: its messages. Every change is an Update, not a signal: the caller
 * (the dashboard, the CLI) needs the zone back, or a refusal it can show (no such zone, a name
 * taken). Payloads are validated by the Updates' validators, so a refused change never enters
 * the history.
 */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { Zone, ZonesState } from '../../src/domain';

export const createZoneUpdate = defineUpdate<Zone, [unknown]>('createZone');
export const renameZoneUpdate = defineUpdate<Zone, [unknown]>('renameZone');
/** Answers with the zone as it was, its agents included (they are now in no zone). */
export const deleteZoneUpdate = defineUpdate<Zone, [unknown]>('deleteZone');
/** Answers with every zone whose agents changed. */
export const assignAgentsUpdate = defineUpdate<Zone[], [unknown]>('assignAgents');

export interface ZonesView {
  workspace: string;
  zones: Zone[];
}
export const zonesQuery = defineQuery<ZonesView>('status');

export interface ZonesInput extends ZonesState {
  /** Continue as new past this many history events, before the server suggests it (tests). */
  continueAsNewAfterEvents?: number;
}
