/**
 * The model calls a ledger (a session's, a workspace's day) has counted. A charge is an Update
 * whose id is the call's, and the server drops a repeated id, but only within one run: after a
 * continue-as-new, a charge retried by its activity would count twice. So the ids travel with
 * the state. Bounded: a retry comes within minutes, not thousands of charges later.
 */
export const CHARGED_CALLS_KEPT = 5_000;

/** True the first time `callId` is seen (and notes it); false for a repeat. */
export function firstCharge(charged: string[], callId: string): boolean {
  return firstTime(charged, callId, CHARGED_CALLS_KEPT);
}

/** True the first time `id` is seen in `seen` (and notes it, keeping the last `keep`); false for a repeat. */
export function firstTime(seen: string[], id: string, keep: number): boolean {
  if (seen.includes(id)) return false;
  seen.push(id);
  if (seen.length > keep) seen.splice(0, seen.length - keep);
  return true;
}
