/**
 * The model calls a ledger (a session's, a workspace's day) has counted. A charge is an Update
 * whose id is the call's, and the server drops a repeated id, but only within one run: after a
 * continue-as-new, a charge retried by its activity would count twice. So the ids travel with
 * the state. Bounded: a retry comes within minutes, not thousands of charges later.
 */
export const CHARGED_CALLS_KEPT = 5_000;

/** True the first time `callId` is seen (and notes it); false for a repeat. */
export function firstCharge(charged: string[], callId: string): boolean {
  if (charged.includes(callId)) return false;
  charged.push(callId);
  if (charged.length > CHARGED_CALLS_KEPT) charged.splice(0, charged.length - CHARGED_CALLS_KEPT);
  return true;
}
