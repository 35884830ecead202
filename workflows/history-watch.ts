/**
 * When a long-lived workflow (zones, a session, a cost ledger) should continue as new: once
 * Temporal suggests it, or its history passes a length.
 *
 * Judged in handlers of what history records (a signal, an accepted Update), never in a
 * `condition` alone. A condition is evaluated in every activation, and that includes the
 * activation of an Update its validator rejects: that workflow task's events are dropped, but
 * if a continue-as-new is decided in it, the task is kept with no event the workflow could
 * react to. On replay nothing wakes the condition there, no continue-as-new is commanded, and
 * the run fails as nondeterministic (with a worker restart: for good).
 */
import * as wf from '@temporalio/workflow';

export interface HistoryWatch {
  /**
   * Look at the history's length now. Call it in the handlers of signals and accepted Updates;
   * never in a validator or a condition's predicate, which bring the replay problem back.
   */
  check(): void;
  /** Whether a check found the history long enough to continue as new. */
  readonly due: boolean;
}

export function historyWatch(afterEvents = Infinity): HistoryWatch {
  let due = false;
  return {
    check() {
      const info = wf.workflowInfo();
      due ||= info.continueAsNewSuggested || info.historyLength >= afterEvents;
    },
    get due() {
      return due;
    },
  };
}
